#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>
#include <random>

#include "expo/core/log.hpp"
#include "websocket_session.hpp"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace expo::http::detail {
namespace {

Method to_method(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return Method::get;
    case bhttp::verb::head: return Method::head;
    case bhttp::verb::post: return Method::post;
    case bhttp::verb::put: return Method::put;
    case bhttp::verb::patch: return Method::patch;
    case bhttp::verb::delete_: return Method::del;
    case bhttp::verb::options: return Method::options;
    default: return Method::other;
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A client's X-Request-Id is kept when it is short and plain, so it can be logged safely.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

// Behind the suite's own TLS front (nginx on this machine) every connection comes from loopback; the
// front puts the real client in X-Real-IP, replacing whatever the client sent. Only then is it used:
// from anywhere else the header could be forged.
std::string client_address(const Request& request, const std::string& peer) {
  if (!is_loopback(peer)) return peer;
  const auto real = request.header("x-real-ip");
  if (!real || real->empty() || real->size() > 45) return peer;
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(*real, ec);
  return ec ? peer : parsed.to_string();
}

std::string new_request_id() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(16, '0');
  auto bits = engine();
  for (auto& c : id) {
    c = digits[bits & 0xF];
    bits >>= 4;
  }
  return id;
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state)
    : stream_(std::move(socket)), state_(std::move(state)) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
}

HttpSession::~HttpSession() {
  if (source_) source_->cancel();
  state_->remove(this);
}

void HttpSession::run() {
  state_->add(this);
  read_request();
}

void HttpSession::read_request() {
  parser_.emplace();
  // No body limit while the head is read (Beast would judge Content-Length against it before the
  // route is known); on_header sets the route's.
  parser_->body_limit(boost::none);
  parser_->header_limit(static_cast<std::uint32_t>(state_->config.header_limit));
  // A fresh connection must send its request promptly (slow-loris guard); a kept-alive one may idle.
  stream_.expires_after(first_request_ ? state_->config.header_timeout : state_->config.idle_timeout);
  // The head first: the route decides how large a body it accepts.
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

bool HttpSession::closed_by_peer_or_timer(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == boost::asio::error::operation_aborted || ec == boost::asio::error::connection_reset ||
      ec == boost::asio::error::eof) {
    close();
    return true;
  }
  return false;
}

void HttpSession::on_header(beast::error_code ec) {
  if (closed_ || closed_by_peer_or_timer(ec)) return;
  started_ = std::chrono::steady_clock::now();
  route_ = "unmatched";
  request_ = Request{};
  if (ec == bhttp::error::header_limit) {
    refuse(Response::error(431, "headers_too_large", "the request headers are too large"), true);
    return;
  }
  if (ec) {
    refuse(Response::error(400, "bad_request", "the request is not valid HTTP/1.1"), true);
    return;
  }
  first_request_ = false;
  auto& message = parser_->get();
  keep_alive_ = message.keep_alive();
  request_.method = to_method(message.method());
  request_.target = std::string(message.target());
  const std::string_view target = request_.target;
  const auto question = target.find('?');
  auto path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) request_.query = std::string(target.substr(question + 1));
  request_.headers.reserve(8);
  for (const auto& field : message) {
    request_.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  }
  request_.remote_address = client_address(request_, remote_address_);
  const auto client_id = request_.header("x-request-id");
  request_.request_id = client_id && acceptable_request_id(*client_id) ? std::string(*client_id) : new_request_id();

  // A refusal before the body is read closes the connection: the unread body would be taken for the
  // next request.
  const bool body_unread = !parser_->is_done();
  if (!path || path->empty() || path->front() != '/') {
    refuse(Response::error(400, "bad_request", "the request target is not a valid path"), body_unread);
    return;
  }
  request_.path = std::move(*path);
  match_ = state_->router.match(request_, beast::websocket::is_upgrade(message));
  route_ = match_.pattern;
  if (match_.kind == Router::Match::Kind::found && body_unread) {
    const auto limit = body_limit();
    if (const auto length = parser_->content_length(); length && *length > limit) {
      refuse(too_large(limit), true);
      return;
    }
    parser_->body_limit(limit);
    stream_.expires_after(state_->config.header_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code body_ec, std::size_t) { self->on_body(body_ec); });
    return;
  }
  dispatch_request(body_unread);
}

std::size_t HttpSession::body_limit() const {
  return match_.body_limit > 0 ? match_.body_limit : state_->config.body_limit;
}

Response HttpSession::too_large(std::size_t limit) {
  return Response::error(413, "payload_too_large", "the request body is larger than " + std::to_string(limit) + " bytes");
}

void HttpSession::on_body(beast::error_code ec) {
  if (closed_ || closed_by_peer_or_timer(ec)) return;
  if (ec == bhttp::error::body_limit) {
    refuse(too_large(body_limit()), true);
    return;
  }
  if (ec) {
    refuse(Response::error(400, "bad_request", "the request body is not valid HTTP/1.1"), true);
    return;
  }
  dispatch_request(false);
}

void HttpSession::dispatch_request(bool body_unread) {
  switch (match_.kind) {
    case Router::Match::Kind::not_found:
      refuse(Response::error(404, "not_found", "no such route: " + std::string(to_string(request_.method)) + " " +
                                                   request_.path),
             body_unread);
      return;
    case Router::Match::Kind::method_not_allowed:
      refuse(Response::error(405, "method_not_allowed",
                             std::string(to_string(request_.method)) + " is not allowed here; allowed: " + match_.allow)
                 .with_header("Allow", match_.allow),
             body_unread);
      return;
    case Router::Match::Kind::websocket: {
      if (state_->stopping) {
        refuse(Response::error(503, "stopping", "the service is stopping").with_header("Retry-After", "1"), true);
        return;
      }
      // The socket moves to a WebSocket session; this HTTP session ends here.
      stream_.expires_never();
      auto ws = std::make_shared<WebSocketSession>(stream_.release_socket(), state_, match_.broadcaster);
      closed_ = true;
      state_->remove(this);
      ws->run(parser_->release());
      return;
    }
    case Router::Match::Kind::found:
      break;
  }

  if (state_->in_flight >= state_->config.max_in_flight) {
    refuse(Response::error(503, "overloaded", "too many requests in progress; retry shortly")
               .with_header("Retry-After", "1"),
           false);
    return;
  }
  ++state_->in_flight;
  handling_ = true;
  request_.body = std::move(parser_->get().body());
  // The handler may keep the Responder and answer later; the connection waits for it.
  Responder responder(shared_from_this());
  try {
    (*match_.handler)(request_, responder);
  } catch (const std::exception& e) {
    log::error("handler threw", {{"route", route_}, {"what", e.what()}, {"request_id", request_.request_id}});
    responder.send(Response::error(500, "internal", "internal error"));
  }
}

void HttpSession::deliver(Response response) {
  // Handlers may answer from another thread (e.g. after a delivery report): hop to our executor.
  boost::asio::dispatch(stream_.get_executor(),
                        [self = shared_from_this(), response = std::move(response)]() mutable {
                          if (self->handling_) {
                            self->handling_ = false;
                            --self->state_->in_flight;
                          }
                          if (self->closed_) {
                            if (response.body_source) response.body_source->cancel();
                            return;
                          }
                          self->write(std::move(response));
                        });
}

void HttpSession::refuse(Response response, bool close_after) {
  if (close_after) keep_alive_ = false;
  write(std::move(response));
}

void HttpSession::note_response(int status) {
  const auto took = std::chrono::steady_clock::now() - started_;
  if (state_->observer.on_response) state_->observer.on_response(route_, request_.method, status, took);
  // The access log: the route's pattern, never the path or query (they may hold ids or tokens), so
  // no personal data; debug level (a busy hall makes thousands a second), a 5xx always.
  const auto level = status >= 500 ? log::Level::warn : log::Level::debug;
  if (!log::enabled(level)) return;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  const auto status_text = std::to_string(status);
  const auto ms = std::to_string(micros / 1000) + "." + std::to_string(micros / 100 % 10);
  log::write(level, "request", {{"method", to_string(request_.method)},
                                {"route", route_},
                                {"status", status_text},
                                {"ms", ms},
                                {"request_id", request_.request_id}});
}

void HttpSession::write(Response response) {
  if (response.body_source) return start_stream(std::move(response));
  const int status = response.status;
  note_response(status);
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(status));
  response_.set(bhttp::field::content_type, response.content_type);
  if (!request_.request_id.empty()) response_.set("X-Request-Id", request_.request_id);
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  const bool close_after = !keep_alive_ || state_->stopping;
  response_.keep_alive(!close_after);
  response_.prepare_payload();
  if (request_.method == Method::head) response_.body().clear();  // Content-Length stays that of GET
  stream_.expires_after(state_->config.header_timeout);
  writing_ = true;
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                       self->on_write(ec, close_after);
                     });
}

void HttpSession::on_write(beast::error_code ec, bool close_after) {
  writing_ = false;
  if (ec || close_after || state_->stopping) {
    close();
    return;
  }
  read_request();
}

void HttpSession::stop() {
  // Idle connections close now; one whose request is being handled closes after its answer. A
  // streamed body is cut at once (body_source.hpp): it may run far longer than any drain.
  if (source_ || (!handling_ && !writing_)) close();
}

void HttpSession::force_close() { close(); }

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  if (source_) {
    auto source = std::move(source_);
    source->cancel();
  }
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
  state_->remove(this);
}

void HttpSession::start_stream(Response response) {
  if (state_->stopping) {
    response.body_source->cancel();
    write(Response::error(503, "stopping", "the service is stopping").with_header("Retry-After", "1"));
    return;
  }
  source_ = std::move(response.body_source);
  stream_response_ = std::move(response);
  head_sent_ = false;
  // The connection is busy until the last chunk is out (stop() cuts it, see above).
  writing_ = true;
  pull_next();
}

void HttpSession::pull_next() {
  // Posted, never run inside pull() or cancel(): the session's state changes only from its own handlers.
  source_->pull([self = shared_from_this()](Result<std::string> piece) {
    boost::asio::post(self->stream_.get_executor(),
                      [self, piece = std::move(piece)]() mutable { self->on_piece(std::move(piece)); });
  });
}

void HttpSession::on_piece(Result<std::string> piece) {
  if (closed_ || !source_) return;
  if (!head_sent_) {
    if (!piece) {
      // Nothing sent yet: an ordinary error answer, and the connection stays usable.
      source_.reset();
      writing_ = false;
      write(Response::from_error(piece.error(), 500));
      return;
    }
    send_stream_head(std::move(*piece));
    return;
  }
  if (!piece) {
    // The head is out: no way to tell the client but to end the connection without the last chunk.
    log::warn("streamed response cut short",
              {{"route", route_}, {"code", piece.error().code}, {"request_id", request_.request_id}});
    close();
    return;
  }
  if (piece->empty()) return write_last_chunk();
  write_chunk(std::move(*piece));
}

void HttpSession::send_stream_head(std::string first_piece) {
  const auto& r = stream_response_;
  note_response(r.status);
  stream_head_.emplace();
  auto& head = *stream_head_;
  head.version(11);
  head.result(static_cast<unsigned>(r.status));
  head.set(bhttp::field::content_type, r.content_type);
  if (!request_.request_id.empty()) head.set("X-Request-Id", request_.request_id);
  for (const auto& [name, value] : r.headers) head.set(name, value);
  stream_close_after_ = !keep_alive_ || state_->stopping;
  head.keep_alive(!stream_close_after_);
  head.chunked(true);
  head_sent_ = true;
  stream_serializer_.emplace(head);
  stream_.expires_after(state_->config.header_timeout);
  bhttp::async_write_header(
      stream_, *stream_serializer_,
      [self = shared_from_this(), first = std::move(first_piece)](beast::error_code ec, std::size_t) mutable {
        if (ec) return self->end_stream(ec);
        if (self->request_.method == Method::head) {
          // A HEAD gets the head only; the producer is told to stop.
          if (self->source_) self->source_->cancel();
          return self->end_stream({});
        }
        if (first.empty()) return self->write_last_chunk();
        self->write_chunk(std::move(first));
      });
}

void HttpSession::write_chunk(std::string piece) {
  chunk_ = std::move(piece);
  // Per piece: a client that stops reading is cut off after header_timeout, which cancels the producer.
  stream_.expires_after(state_->config.header_timeout);
  boost::asio::async_write(stream_, bhttp::make_chunk(boost::asio::buffer(chunk_)),
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->end_stream(ec);
                             self->chunk_.clear();
                             if (self->closed_ || !self->source_) return;
                             self->pull_next();
                           });
}

void HttpSession::write_last_chunk() {
  stream_.expires_after(state_->config.header_timeout);
  boost::asio::async_write(stream_, bhttp::make_chunk_last(),
                           [self = shared_from_this()](beast::error_code ec, std::size_t) { self->end_stream(ec); });
}

void HttpSession::end_stream(beast::error_code ec) {
  // A failed write (the client went away, or stopped reading for header_timeout) stops the producer.
  if (ec && source_) source_->cancel();
  source_.reset();
  stream_serializer_.reset();
  stream_head_.reset();
  stream_response_ = {};
  std::string().swap(chunk_);
  head_sent_ = false;
  on_write(ec, stream_close_after_);
}

}  // namespace expo::http::detail

#include "websocket_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace expo::http::detail {

WebSocketSession::WebSocketSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                                   Broadcaster* broadcaster)
    : ws_(std::move(socket)), state_(std::move(state)), broadcaster_(broadcaster) {}

WebSocketSession::~WebSocketSession() {
  if (joined_) broadcaster_->leave(this);
  state_->remove(this);
}

void WebSocketSession::run(beast::http::request<beast::http::string_body> upgrade) {
  state_->add(this);
  // Beast's suggested server timeouts: a handshake deadline, and a ping when the peer is idle, so a
  // vanished screen is noticed and its session freed.
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(4096);  // clients only send control frames and small acknowledgements
  // One frame per message, written by one call: split into write_buffer_bytes frames (Beast's
  // default), a message to ten thousand screens costs several writes each.
  ws_.auto_fragment(false);
  ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      self->force_close();
      return;
    }
    self->joined_ = true;
    self->broadcaster_->join(self.get());
    self->read_next();
  });
}

void WebSocketSession::read_next() {
  ws_.async_read(incoming_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      self->force_close();
      return;
    }
    self->incoming_.consume(self->incoming_.size());
    self->read_next();
  });
}

void WebSocketSession::push(SharedMessage message) {
  if (closed_ || closing_) return;
  if (queue_.size() >= broadcaster_->queue_limit()) {
    drop();
    return;
  }
  queue_.push_back(std::move(message));
  if (!writing_) write_next();
}

void WebSocketSession::write_next() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    if (ec) {
      self->force_close();
      return;
    }
    self->queue_.pop_front();
    if (self->closing_) {
      self->close();
    } else if (!self->queue_.empty()) {
      self->write_next();
    }
  });
}

void WebSocketSession::drop() {
  // Too slow to keep up: waiting for it would hold every message in memory.
  broadcaster_->count_drop();
  force_close();
}

void WebSocketSession::close() {
  if (closed_) return;
  closing_ = true;
  if (writing_) return;  // the write's completion closes
  if (joined_) {
    broadcaster_->leave(this);
    joined_ = false;
  }
  closed_ = true;
  ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {
    self->force_close();
  });
}

void WebSocketSession::force_close() {
  if (joined_) {
    broadcaster_->leave(this);
    joined_ = false;
  }
  closed_ = true;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
  state_->remove(this);
}

}  // namespace expo::http::detail

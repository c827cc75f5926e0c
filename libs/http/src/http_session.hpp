#pragma once
// One HTTP connection: reads a request, routes it, waits for the handler's answer, writes it, and
// reads the next while the connection is kept alive. Upgrades to a WebSocket session when asked.
// A streamed response (Response::body_source) goes out chunked: the head once the first piece is
// there, then one piece at a time, the next pulled only when the previous one is written.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "expo/http/responder.hpp"
#include "server_state.hpp"

namespace expo::http::detail {

class HttpSession final : public std::enable_shared_from_this<HttpSession>,
                          public ResponseSink,
                          public Connection {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state);
  ~HttpSession() override;

  void run();
  void deliver(Response response) override;
  void stop() override;
  void force_close() override;

 private:
  void read_request();
  bool closed_by_peer_or_timer(boost::beast::error_code ec);
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void dispatch_request(bool body_unread);
  std::size_t body_limit() const;
  static Response too_large(std::size_t limit);
  void refuse(Response response, bool close_after);
  // The metrics observer and the access log line, once per response (plain or streamed).
  void note_response(int status);
  void write(Response response);
  void on_write(boost::beast::error_code ec, bool close_after);
  void close();
  // Streamed responses.
  void start_stream(Response response);
  void pull_next();
  void on_piece(Result<std::string> piece);
  void send_stream_head(std::string first_piece);
  void write_chunk(std::string piece);
  void write_last_chunk();
  void end_stream(boost::beast::error_code ec);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::shared_ptr<ServerState> state_;
  std::string remote_address_;

  // The streamed response in progress (source_ set), its head until sent, and the piece on the wire.
  std::shared_ptr<BodySource> source_;
  Response stream_response_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> stream_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>> stream_serializer_;
  std::string chunk_;
  bool head_sent_ = false;
  bool stream_close_after_ = false;

  Request request_;
  Router::Match match_;
  std::string_view route_ = "unmatched";
  std::chrono::steady_clock::time_point started_;
  bool first_request_ = true;
  bool handling_ = false;  // a handler owns the current request
  bool writing_ = false;   // a response is on its way out
  bool keep_alive_ = true;
  bool closed_ = false;
};

}  // namespace expo::http::detail

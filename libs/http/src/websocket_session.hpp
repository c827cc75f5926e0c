#pragma once
// One WebSocket connection fed by a Broadcaster: a bounded queue of shared messages, one write in
// flight, incoming frames read only to answer control frames and notice a close.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>

#include "expo/http/websocket.hpp"
#include "server_state.hpp"

namespace expo::http::detail {

class WebSocketSession final : public std::enable_shared_from_this<WebSocketSession>,
                               public MessageSink,
                               public Connection {
 public:
  WebSocketSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                   Broadcaster* broadcaster);
  ~WebSocketSession() override;

  void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);

  void push(SharedMessage message) override;
  void close() override;        // MessageSink: graceful close frame
  void stop() override { close(); }
  void force_close() override;

 private:
  void read_next();
  void write_next();
  void drop();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer incoming_;
  std::shared_ptr<ServerState> state_;
  Broadcaster* broadcaster_;
  std::deque<SharedMessage> queue_;
  bool joined_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace expo::http::detail

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "expo/http/websocket.hpp"
#include "expo/testing/http_client.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace expo::http {
namespace {

class WebSocketClient {
 public:
  explicit WebSocketClient(std::uint16_t port) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", "/v1/stream");
  }
  std::string read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  websocket::stream<tcp::socket>& stream() { return ws_; }

 private:
  boost::asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

class WebSocketTest : public ServerFixture {
 protected:
  std::shared_ptr<Broadcaster> broadcaster_ = std::make_shared<Broadcaster>(2);

  void wait_for_sessions(std::size_t n) {
    for (int i = 0; i < 200 && on_io([this] { return broadcaster_->session_count(); }) != n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(on_io([this] { return broadcaster_->session_count(); }), n);
  }
};

TEST_F(WebSocketTest, SnapshotOnConnectThenEveryBroadcast) {
  broadcaster_->set_snapshot([] { return std::make_shared<const std::string>(R"({"snapshot":1})"); });
  router_.websocket("/v1/stream", broadcaster_);
  start();
  WebSocketClient a(port());
  WebSocketClient b(port());
  EXPECT_EQ(a.read(), R"({"snapshot":1})");
  EXPECT_EQ(b.read(), R"({"snapshot":1})");
  wait_for_sessions(2);
  on_io([this] {
    broadcaster_->broadcast(std::make_shared<const std::string>(R"({"change":2})"));
    return 0;
  });
  EXPECT_EQ(a.read(), R"({"change":2})");
  EXPECT_EQ(b.read(), R"({"change":2})");
}

TEST_F(WebSocketTest, ASlowClientIsDroppedNotWaitedFor) {
  router_.websocket("/v1/stream", broadcaster_);
  start();
  WebSocketClient slow(port());  // never reads
  wait_for_sessions(1);
  // Large messages fill the socket buffers, then the session's queue (limit 2): the session is dropped.
  const auto big = std::make_shared<const std::string>(4 * 1024 * 1024, 'x');
  for (int i = 0; i < 20 && on_io([this] { return broadcaster_->session_count(); }) > 0; ++i) {
    on_io([&] {
      broadcaster_->broadcast(big);
      return 0;
    });
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(on_io([this] { return broadcaster_->session_count(); }), 0u);
  EXPECT_EQ(on_io([this] { return broadcaster_->dropped_sessions(); }), 1u);
}

TEST_F(WebSocketTest, PlainGetOnAStreamRouteIs405) {
  router_.websocket("/v1/stream", broadcaster_);
  start();
  EXPECT_EQ(expo::testing::HttpClient(port()).get("/v1/stream").status, 405);
}

}  // namespace
}  // namespace expo::http

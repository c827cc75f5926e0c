// GET /v1/stream against the running service: a snapshot at once, then, after a vote produced to
// votes.v1, a message with the new count within a second (PRODUCT.md: "every change within 1 s").
// The WebSocket client is Boost.Beast's, kept in this one file (compiled once, with expo::asio).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <deque>
#include <iostream>
#include <optional>

#include "leaderboard_harness.hpp"

namespace lb_it {
namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A WebSocket client with deadlines: one read always pending (so the server's pings are answered
// while the test waits), messages queued as they arrive, next() runs the io until one is there.
class StreamClient {
 public:
  StreamClient() : ws_(io_) {}

  std::string connect(std::uint16_t port, const std::string& target, std::chrono::milliseconds timeout) {
    beast::error_code result = boost::asio::error::would_block;
    beast::get_lowest_layer(ws_).expires_after(timeout);
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
          if (ec) {
            result = ec;
            return;
          }
          ws_.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](beast::error_code hs) { result = hs; });
        });
    run_until([&] { return result != boost::asio::error::would_block; }, timeout);
    if (result) return result == boost::asio::error::would_block ? "timeout" : result.message();
    // From here the websocket's own timeouts apply (the tcp_stream's deadline must be off).
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    read_next();
    return {};
  }

  // The next text message, or nullopt when none came within `timeout` (or the stream failed).
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    run_until([&] { return !messages_.empty() || failed_; }, timeout);
    if (messages_.empty()) return std::nullopt;
    auto m = std::move(messages_.front());
    messages_.pop_front();
    return m;
  }

  std::string error() const { return error_; }

  ~StreamClient() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    io_.restart();
    io_.poll();
  }

 private:
  template <class Pred>
  void run_until(Pred done, std::chrono::milliseconds timeout) {
    if (io_.stopped()) io_.restart();
    const auto until = Clock::now() + timeout;
    while (!done() && Clock::now() < until) {
      io_.run_one_for(std::chrono::milliseconds(5));
      if (io_.stopped()) io_.restart();
    }
  }

  void read_next() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        failed_ = true;
        error_ = ec.message();
        return;
      }
      messages_.push_back(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      read_next();
    });
  }

  boost::asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> messages_;
  bool failed_ = false;
  std::string error_;
};

boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

// The `votes` of an innovation on the whole event's board of the message; nullopt when not listed.
std::optional<std::int64_t> votes_on(const boost::json::object& message, std::string_view board, std::string_view id) {
  const auto* boards = message.if_contains("boards");
  if (!boards || !boards->is_object()) return std::nullopt;
  const auto* period = boards->as_object().if_contains(board);
  if (!period || !period->is_object()) return std::nullopt;
  const auto* rows = period->as_object().if_contains("innovations");
  if (!rows || !rows->is_array()) return std::nullopt;
  for (const auto& row : rows->as_array()) {
    const auto& r = row.as_object();
    if (r.at("innovation_id").as_string() == id && r.contains("votes")) return r.at("votes").as_int64();
  }
  return std::nullopt;
}

using LeaderboardStream = LeaderboardTest;

TEST_F(LeaderboardStream, SnapshotAtOnceThenAVoteShowsWithinOneSecond) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());

  StreamClient client;
  const auto connected = Clock::now();
  const auto error = client.connect(service().port(), "/v1/stream", 5s);
  ASSERT_TRUE(error.empty()) << error;
  const auto first = client.next(1s);
  ASSERT_TRUE(first.has_value()) << "no snapshot within 1 s of connecting " << client.error();
  const double snapshot_ms = std::chrono::duration<double, std::milli>(Clock::now() - connected).count();
  const auto snapshot = parse_object(*first);
  EXPECT_EQ(snapshot.at("type").as_string(), "boards");
  EXPECT_TRUE(snapshot.at("version").is_int64());
  EXPECT_FALSE(snapshot.at("frozen").as_bool());
  EXPECT_EQ(snapshot.at("display").as_string(), "full");
  // The clock starts on the event's first day.
  EXPECT_EQ(snapshot.at("day").as_string(), event_days[0]);
  ASSERT_TRUE(snapshot.at("boards").as_object().at("all").as_object().at("innovations").is_array());

  // A known innovation of the event, the first row of the whole event's board: a stream message
  // lists the top rows only, and one more vote keeps it there.
  const auto& top = snapshot.at("boards").at("all").at("innovations").as_array();
  ASSERT_FALSE(top.empty());
  const std::string known(top.front().at("innovation_id").as_string());
  const auto known_booth = std::string(known.substr(0, known.find('-')));
  const auto before = votes_on(snapshot, "all", known);
  ASSERT_TRUE(before.has_value());

  send(vote_cast({.visitor = ids_.visitor(1), .innovation = known, .day = event_days[0],
                  .local_time = "10:01:00", .booth = known_booth, .region = known_booth}));
  ASSERT_TRUE(flushed());
  const auto produced = Clock::now();

  std::optional<boost::json::object> update;
  std::int64_t last_version = snapshot.at("version").as_int64();
  while (!update && Clock::now() < produced + 1s) {
    const auto message = client.next(std::chrono::duration_cast<std::chrono::milliseconds>(produced + 1s - Clock::now()));
    if (!message) break;
    auto m = parse_object(*message);
    EXPECT_EQ(m.at("type").as_string(), "boards");
    EXPECT_GT(m.at("version").as_int64(), last_version) << "versions increase with every change";
    last_version = m.at("version").as_int64();
    if (votes_on(m, "all", known).value_or(0) > *before) update = std::move(m);
  }
  const double update_ms = std::chrono::duration<double, std::milli>(Clock::now() - produced).count();
  ASSERT_TRUE(update.has_value()) << "no message with the vote within 1 s of its acknowledgement " << client.error();
  EXPECT_EQ(votes_on(*update, "all", known), *before + 1);
  // Rows carry ids, not names: a screen has the names from the event, and every byte goes to every screen.
  EXPECT_FALSE(update->at("boards").at("all").at("innovations").as_array().front().as_object().contains("name"));
  EXPECT_FALSE(update->at("boards").as_object().contains("day"));
  std::cout << "[ leaderboard ] stream: snapshot " << snapshot_ms << " ms after connecting; the vote for " << known
            << " shown " << update_ms << " ms after Kafka acknowledged it\n";
}

}  // namespace
}  // namespace lb_it

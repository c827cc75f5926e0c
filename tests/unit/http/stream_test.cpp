// Streamed responses (Response::stream with http::StreamWorkers): the body arrives whole and in order,
// chunked; an error before the first piece is an ordinary error answer, one after it truncates the
// transfer; a client that goes away, or the server stopping, stops the producer; a slow client holds
// the producer back (bounded queue); HEAD gets the head only; the number of streams is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "expo/http/stream_workers.hpp"
#include "expo/testing/http_client.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;

namespace expo::http {
namespace {

std::string numbered_lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A raw client: sends a GET and reads only what the test asks for.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void get(const std::string& target) {
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
  }
  std::size_t read_at_least(std::size_t bytes) {
    std::string buffer(bytes, '\0');
    return boost::asio::read(socket_, boost::asio::buffer(buffer));
  }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

class StreamTest : public ServerFixture {
 protected:
  // Produces until cancelled, counting bytes; `finished` once the producer returned.
  void add_endless(StreamWorkers& workers) {
    router_.get("/endless", [this, &workers](const Request&, Responder responder) {
      auto source = workers.start([this](ChunkWriter& out) -> Result<void> {
        const std::string line(1000, 'x');
        while (out.write(line)) produced_ += line.size();
        finished_ = true;
        return Error::permanent("cancelled", "the client went away");
      });
      if (!source) return responder.send(Response::from_error(source.error()));
      responder.send(Response::stream(200, "text/plain", *source));
    });
  }

  std::atomic<std::size_t> produced_{0};
  std::atomic<bool> finished_{false};
};

TEST_F(StreamTest, AStreamedBodyArrivesWholeAndInOrder) {
  // Small chunks, so the body crosses many chunk boundaries and queue turns.
  StreamWorkers workers({.chunk_bytes = 100, .queue_chunks = 2, .max_streams = 2});
  const auto expected = numbered_lines(20000);
  router_.get("/lines", [&](const Request&, Responder responder) {
    auto source = workers.start([](ChunkWriter& out) -> Result<void> {
      for (int i = 0; i < 20000; ++i) {
        if (!out.write("line " + std::to_string(i) + "\n")) return Error::permanent("cancelled", "");
      }
      return {};
    });
    ASSERT_TRUE(source.ok());
    responder.send(Response::stream(200, "text/csv; charset=utf-8", *source).with_header("X-Extra", "yes"));
  });
  start();
  HttpClient client(port());
  const auto r = client.request("GET", "/lines", {}, {}, 30s);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.header("x-extra"), "yes");
  EXPECT_FALSE(r.header("x-request-id").empty());
  EXPECT_EQ(r.body.size(), expected.size());
  EXPECT_TRUE(r.body == expected);
  // The connection stays usable after the last chunk (keep-alive).
  const auto again = client.request("GET", "/lines", {}, {}, 30s);
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.body == expected);
  EXPECT_TRUE(eventually([&] { return workers.running() == 0; }));
}

TEST_F(StreamTest, AnEmptyBodyEndsAtOnce) {
  StreamWorkers workers;
  router_.get("/nothing", [&](const Request&, Responder responder) {
    auto source = workers.start([](ChunkWriter&) -> Result<void> { return {}; });
    responder.send(Response::stream(200, "text/plain", *source));
  });
  start();
  HttpClient client(port());
  const auto r = client.get("/nothing");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(client.get("/nothing").status, 200);
}

TEST_F(StreamTest, AnErrorBeforeTheFirstPieceIsAnOrdinaryErrorAnswer) {
  StreamWorkers workers;
  router_.get("/down", [&](const Request&, Responder responder) {
    auto source = workers.start([](ChunkWriter& out) -> Result<void> {
      out.write("header\r\n");  // gathered, not yet handed over: the head has not gone out
      return Error::retryable_error("kafka_unavailable", "the broker did not answer");
    });
    responder.send(Response::stream(200, "text/csv", *source));
  });
  start();
  HttpClient client(port());
  const auto r = client.get("/down");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(boost::json::parse(r.body).at("error").at("code").as_string(), "kafka_unavailable");
  // Still kept alive.
  EXPECT_EQ(client.get("/down").status, 503);
}

TEST_F(StreamTest, AnErrorAfterTheHeadTruncatesTheTransfer) {
  StreamWorkers workers({.chunk_bytes = 10, .queue_chunks = 2, .max_streams = 2});
  router_.get("/broken", [&](const Request&, Responder responder) {
    auto source = workers.start([](ChunkWriter& out) -> Result<void> {
      for (int i = 0; i < 100; ++i) out.write("0123456789");
      return Error::permanent("kafka_offset_out_of_range", "the topic was recreated");
    });
    responder.send(Response::stream(200, "text/csv", *source));
  });
  start();
  HttpClient client(port());
  const auto r = client.get("/broken");
  // No final chunk: the client cannot take the partial body for a whole one.
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("read"), std::string::npos) << r.error;
}

TEST_F(StreamTest, AClientThatDisconnectsMidStreamStopsTheProducer) {
  StreamWorkers workers({.chunk_bytes = 64 * 1024, .queue_chunks = 4, .max_streams = 2});
  add_endless(workers);
  start();
  RawClient raw(port());
  raw.get("/endless");
  EXPECT_GE(raw.read_at_least(200 * 1024), 200u * 1024);
  // A client that stops reading: the socket buffers fill, then the queue, then the producer waits.
  std::this_thread::sleep_for(500ms);
  const auto held = produced_.load();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(produced_.load(), held) << "the producer kept going while nobody read";
  // Loopback socket buffers hold a few MB at most; an unthrottled producer would be at gigabytes.
  EXPECT_LT(held, 32u * 1024 * 1024);
  std::cout << "produced before the backpressure held it: " << held / 1024 << " KiB\n";
  raw.close();
  EXPECT_TRUE(eventually([&] { return finished_.load(); })) << "the producer did not stop";
  EXPECT_TRUE(eventually([&] { return workers.running() == 0; }));
  EXPECT_TRUE(eventually([&] { return on_io([this] { return server_->open_connections(); }) == 0u; }));
}

TEST_F(StreamTest, StoppingTheServerCutsAStreamAndStopsItsProducer) {
  StreamWorkers workers;
  add_endless(workers);
  start();
  RawClient raw(port());
  raw.get("/endless");
  EXPECT_GE(raw.read_at_least(100 * 1024), 100u * 1024);
  std::promise<void> drained;
  const auto asked = std::chrono::steady_clock::now();
  boost::asio::post(io_, [&] { server_->stop([&] { drained.set_value(); }); });
  // Cut at once, not after the drain timeout (10 s).
  EXPECT_EQ(drained.get_future().wait_for(2s), std::future_status::ready);
  std::cout << "drained in " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - asked).count() << " ms\n";
  EXPECT_TRUE(eventually([&] { return finished_.load(); }));
  workers.stop();
  EXPECT_EQ(workers.running(), 0u);
  io_.stop();
  thread_.join();
}

TEST_F(StreamTest, HeadGetsTheHeadOnlyAndStopsTheProducer) {
  StreamWorkers workers;
  add_endless(workers);
  start();
  HttpClient client(port());
  const auto r = client.request("HEAD", "/endless");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(eventually([&] { return finished_.load(); }));
}

TEST_F(StreamTest, StreamsBeyondTheBoundAreRefusedWith503) {
  StreamWorkers workers({.chunk_bytes = 1024, .queue_chunks = 1, .max_streams = 1});
  add_endless(workers);
  start();
  RawClient first(port());
  first.get("/endless");
  EXPECT_GE(first.read_at_least(4096), 4096u);
  HttpClient client(port());
  const auto refused = client.get("/endless");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(boost::json::parse(refused.body).at("error").at("code").as_string(), "streams_busy");
  first.close();
  EXPECT_TRUE(eventually([&] { return workers.running() == 0; }));
}

TEST(StreamWorkers, StopCancelsAndJoinsEveryStreamAndRefusesNewOnes) {
  StreamWorkers workers({.chunk_bytes = 16, .queue_chunks = 1, .max_streams = 3});
  std::atomic<int> ended{0};
  std::vector<std::shared_ptr<BodySource>> sources;
  for (int i = 0; i < 3; ++i) {
    auto source = workers.start([&](ChunkWriter& out) -> Result<void> {
      while (out.write("0123456789abcdef")) {
      }
      ++ended;
      return {};
    });
    ASSERT_TRUE(source.ok());
    sources.push_back(*source);  // nobody pulls: every producer blocks on its full queue
  }
  EXPECT_TRUE(eventually([&] { return workers.running() == 3; }));
  workers.stop();
  EXPECT_EQ(ended.load(), 3);
  EXPECT_EQ(workers.running(), 0u);
  const auto late = workers.start([](ChunkWriter&) -> Result<void> { return {}; });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "stopping");
}

}  // namespace
}  // namespace expo::http

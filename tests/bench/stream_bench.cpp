// expo-stream-bench: the leaderboard's stream under load, for tests/bench/leaderboard.sh (a benchmark
// that prints figures, not a test).
//
//   expo-stream-bench stream --brokers B --port P --rate R --seconds S [--clients N] [--innovation ID]
//     Holds N WebSocket sessions on ws://127.0.0.1:P/v1/stream (one of them, the monitor, reads every
//     message) while votes for one innovation are produced to votes.v1 at R per second, as the voting
//     service writes them. Prints the vote-to-screen latency: for each vote, from Kafka's
//     acknowledgement (the moment the voting service answers 201) to the first stream message whose
//     count for the innovation includes as many votes as had been acknowledged by then; and how many
//     sessions stayed open and what they received.
//   expo-stream-bench produce --brokers B --checkins N --votes M
//     Writes N checked_in and M vote_cast events as fast as the broker takes them (for a rebuild).
//
// Keeps Beast and librdkafka to this one file; one io thread does everything.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/votes.hpp"
#include "expo/kafka/producer.hpp"

namespace {

using namespace expo;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string brokers = "127.0.0.1:19092";
  std::uint16_t port = 8084;
  int rate = 1000;
  int seconds = 15;
  int clients = 1;
  long checkins = 0;
  long votes = 0;
  std::string innovation = "3579-among-abdi-praja";
  std::string day = "2023-11-23";
};

std::optional<Options> parse(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Options o;
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--brokers") o.brokers = v;
    else if (k == "--port") o.port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--rate") o.rate = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stoi(v);
    else if (k == "--clients") o.clients = std::stoi(v);
    else if (k == "--checkins") o.checkins = std::stol(v);
    else if (k == "--votes") o.votes = std::stol(v);
    else if (k == "--innovation") o.innovation = v;
    else return std::nullopt;
  }
  return o;
}

std::string vote_event(const Options& o, long n) {
  events::votes::Cast v;
  v.vote_id = "bench-" + events::new_event_id();
  v.visitor_id = "bench-visitor-" + std::to_string(n) + "-" + v.vote_id.substr(6, 8);
  v.innovation_id = o.innovation;
  v.booth_id = "3579";
  v.region_id = "3579";
  v.day = o.day;
  v.client_event_id = v.vote_id;
  v.at = o.day + "T19:00:00.000+07:00";
  return events::encode(events::votes::cast(v));
}

std::string checkin_event(const Options& o, long n) {
  static const std::vector<std::string> booths = {"3501", "3507", "3573", "3578", "3579"};
  auto e = events::make_envelope("checked_in", o.day + "T10:00:00.000+07:00");
  e.payload["visitor_id"] = "bench-visitor-" + std::to_string(n);
  e.payload["booth_id"] = booths[static_cast<std::size_t>(n) % booths.size()];
  e.payload["device_id"] = "bench-device";
  e.payload["day"] = o.day;
  return events::encode(e);
}

// Sessions open now, and sessions that never opened: read by the main thread while the crowd's
// thread connects.
struct Tally {
  std::atomic<long> open{0};
  std::atomic<long> failed{0};
};

// A WebSocket session; the monitor parses each message, the others only count them.
struct Session : std::enable_shared_from_this<Session> {
  Session(boost::asio::io_context& io, bool is_monitor, Tally& t) : ws(io), monitor(is_monitor), tally(t) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  bool monitor;
  Tally& tally;
  bool open = false;
  bool closed = false;
  long messages = 0;  // read after the threads ended
  std::function<void(const std::string&)> on_monitor_message;

  void start(const tcp::endpoint& endpoint, std::uint16_t port) {
    ws.next_layer().expires_after(std::chrono::seconds(30));
    ws.next_layer().async_connect(endpoint, [self = shared_from_this(), port](beast::error_code ec) {
      if (ec) return self->fail();
      self->ws.next_layer().expires_never();
      self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      self->ws.async_handshake("127.0.0.1:" + std::to_string(port), "/v1/stream", [self](beast::error_code hs) {
        if (hs) return self->fail();
        self->open = true;
        ++self->tally.open;
        self->read();
      });
    });
  }
  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      ++self->messages;
      if (self->monitor && self->on_monitor_message) self->on_monitor_message(beast::buffers_to_string(self->buffer.data()));
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
  void fail() {
    if (closed) return;
    closed = true;
    if (open) --tally.open;
    else ++tally.failed;
    open = false;
  }
};

// The innovation's votes in the whole-event board of a stream message (nullopt: not listed).
std::optional<std::int64_t> votes_of(const std::string& message, const std::string& innovation) {
  boost::system::error_code ec;
  auto json = boost::json::parse(message, ec);
  if (ec || !json.is_object()) return std::nullopt;
  const auto* boards = json.as_object().if_contains("boards");
  if (!boards || !boards->is_object()) return std::nullopt;
  const auto* all = boards->as_object().if_contains("all");
  if (!all || !all->is_object()) return std::nullopt;
  const auto* rows = all->as_object().if_contains("innovations");
  if (!rows || !rows->is_array()) return std::nullopt;
  for (const auto& row : rows->as_array()) {
    const auto& r = row.as_object();
    if (r.at("innovation_id").as_string() == innovation) {
      const auto* v = r.if_contains("votes");
      if (v && v->is_int64()) return v->as_int64();
    }
  }
  return std::nullopt;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

int run_stream(const Options& o) {
  boost::asio::io_context io;
  // The crowd's sessions (below) must be destroyed before their io_context: declared first.
  boost::asio::io_context crowd_io;
  auto producer = kafka::Producer::create(io, {.brokers = o.brokers, .client_id = "stream-bench"});
  if (!producer) {
    std::cerr << "stream-bench: " << producer.error().message << "\n";
    return 2;
  }
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), o.port);

  std::deque<Clock::time_point> acked;  // acknowledgement times, in the order they came
  std::vector<double> latencies_ms;
  std::size_t measured = 0;             // acknowledged votes already matched to a message
  std::optional<std::int64_t> base;     // the innovation's count before the first vote
  long produced = 0, failed = 0;
  bool producing = false;

  Tally tally;
  std::vector<std::shared_ptr<Session>> crowd;  // the crowd thread's alone until it ends
  auto monitor = std::make_shared<Session>(io, true, tally);
  monitor->on_monitor_message = [&](const std::string& message) {
    const auto now = Clock::now();
    const auto count = votes_of(message, o.innovation);
    if (!count) return;
    if (!base) {
      base = *count;
      return;
    }
    // Every acknowledged vote up to the count shown is on the screen now.
    const auto shown = static_cast<std::size_t>(std::max<std::int64_t>(0, *count - *base));
    while (measured < shown && measured < acked.size()) {
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - acked[measured]).count());
      ++measured;
    }
  };
  monitor->start(endpoint, o.port);

  // The crowd has a thread of its own: the monitor's messages must not wait behind ten thousand
  // other sessions' reads in this process (that would measure the client, not the service).
  auto crowd_work = boost::asio::make_work_guard(crowd_io);
  std::thread crowd_thread([&crowd_io] { crowd_io.run(); });
  // The crowd connects in steps of 500 a tick, so the listener's backlog is never the limit.
  boost::asio::steady_timer ramp(crowd_io);
  int started = 1;
  std::function<void()> connect_more = [&] {
    for (int i = 0; i < 500 && started < o.clients; ++i, ++started) {
      auto s = std::make_shared<Session>(crowd_io, false, tally);
      crowd.push_back(s);
      s->start(endpoint, o.port);
    }
    if (started < o.clients) {
      ramp.expires_after(std::chrono::milliseconds(50));
      ramp.async_wait([&](boost::system::error_code ec) {
        if (!ec) connect_more();
      });
    }
  };
  boost::asio::post(crowd_io, [&] { connect_more(); });

  // Votes start once every session is open and the monitor has its snapshot (the base count).
  boost::asio::steady_timer pace(io);
  Clock::time_point start_votes{}, end_votes{};
  long n = 0;
  std::function<void()> tick = [&] {
    const auto now = Clock::now();
    if (now >= end_votes) {
      producing = false;
      return;
    }
    const auto due = static_cast<long>(std::chrono::duration<double>(now - start_votes).count() * o.rate);
    for (; n < due; ++n) {
      ++produced;
      (*producer)->produce(std::string(events::topics::votes), "bench-visitor-" + std::to_string(n), vote_event(o, n),
                           {}, [&](Result<kafka::Delivery> d) {
                             if (d) acked.push_back(Clock::now());
                             else ++failed;
                           });
    }
    pace.expires_after(std::chrono::milliseconds(1));
    pace.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  boost::asio::steady_timer wait_ready(io);
  const auto ready_deadline = Clock::now() + std::chrono::seconds(120);
  std::function<void()> check_ready = [&] {
    const long open = tally.open, closed = tally.failed;
    if ((open + closed == o.clients && base) || Clock::now() > ready_deadline) {
      std::cout << "stream-bench: " << open << " of " << o.clients << " sessions open (" << closed
                << " failed to open); producing " << o.rate << " votes/s for " << o.seconds << " s\n";
      start_votes = Clock::now();
      end_votes = start_votes + std::chrono::seconds(o.seconds);
      producing = true;
      return tick();
    }
    wait_ready.expires_after(std::chrono::milliseconds(100));
    wait_ready.async_wait([&](boost::system::error_code ec) {
      if (!ec) check_ready();
    });
  };
  check_ready();

  // After the votes: up to 5 s for the last ones to reach the screen, then the figures.
  boost::asio::steady_timer finish(io);
  std::function<void()> check_done = [&] {
    const bool drained = !producing && start_votes != Clock::time_point{} &&
                         (measured >= acked.size() || Clock::now() > end_votes + std::chrono::seconds(5));
    if (drained) {
      beast::error_code ignored;
      beast::get_lowest_layer(monitor->ws).socket().close(ignored);
      crowd_io.stop();  // its sessions close with it
      (*producer)->stop(std::chrono::milliseconds(2000));
      io.stop();
      return;
    }
    finish.expires_after(std::chrono::milliseconds(100));
    finish.async_wait([&](boost::system::error_code ec) {
      if (!ec) check_done();
    });
  };
  check_done();
  io.run();
  crowd_thread.join();

  crowd.push_back(monitor);
  std::vector<long> per_session;
  long still_open = 0;
  for (const auto& s : crowd) {
    per_session.push_back(s->messages);
    if (!s->closed) ++still_open;
  }
  std::sort(per_session.begin(), per_session.end());
  const long min_messages = per_session.empty() ? 0 : per_session.front();
  const long median_messages = per_session.empty() ? 0 : per_session[per_session.size() / 2];
  std::cout << "stream-bench: votes produced " << produced << ", acknowledged " << acked.size() << ", failed " << failed
            << "; matched on the screen " << measured << "\n";
  std::cout << "stream-bench: sessions " << o.clients << ", open to the end " << still_open << ", messages per session min "
            << min_messages << " median " << median_messages << "\n";
  std::printf("stream-bench: vote-to-screen at %d votes/s with %d sessions: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", o.rate,
              o.clients, percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99), percentile(latencies_ms, 1.0));
  return 0;
}

int run_produce(const Options& o) {
  boost::asio::io_context io;
  auto producer = kafka::Producer::create(io, {.brokers = o.brokers, .client_id = "stream-bench", .max_in_flight = 200000});
  if (!producer) {
    std::cerr << "stream-bench: " << producer.error().message << "\n";
    return 2;
  }
  // Acknowledgements arrive from librdkafka's thread: without a guard io.run() would return whenever
  // none is queued at that moment.
  auto work = boost::asio::make_work_guard(io);
  long pending = 0, failed = 0;
  const long total = o.checkins + o.votes;
  long next = 0;
  // Keeps at most 50,000 in flight, topping up as acknowledgements come.
  std::function<void()> top_up = [&] {
    while (pending < 50000 && next < total) {
      const bool checkin = next < o.checkins;
      const auto n = checkin ? next : next - o.checkins;
      ++pending;
      (*producer)->produce(std::string(checkin ? events::topics::checkins : events::topics::votes),
                           "bench-visitor-" + std::to_string(n), checkin ? checkin_event(o, n) : vote_event(o, n), {},
                           [&](Result<kafka::Delivery> d) {
                             --pending;
                             if (!d) ++failed;
                             if (pending < 25000) top_up();
                             if (pending == 0 && next == total) work.reset();
                           });
      ++next;
    }
  };
  top_up();
  io.run();
  (*producer)->stop(std::chrono::milliseconds(5000));
  std::cout << "stream-bench: produced " << o.checkins << " check-ins and " << o.votes << " votes (" << failed
            << " failed)\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  if (!options || (options->mode != "stream" && options->mode != "produce")) {
    std::cerr << "usage: expo-stream-bench stream --brokers B --port P --rate R --seconds S [--clients N] "
                 "[--innovation ID]\n"
                 "       expo-stream-bench produce --brokers B --checkins N --votes M\n";
    return 2;
  }
  return options->mode == "stream" ? run_stream(*options) : run_produce(*options);
}

#include "api/probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "app/live_boards.hpp"
#include "app/rebuilder.hpp"
#include "expo/http/websocket.hpp"
#include "expo/metrics/registry.hpp"

namespace expo::leaderboard {
namespace {

prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

prometheus::Counter& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

// A counter that follows a running total kept elsewhere.
void follow(prometheus::Counter& c, double total) {
  if (total > c.Value()) c.Increment(total - c.Value());
}

}  // namespace

struct Probe::Impl {
  prometheus::Gauge& sessions;
  prometheus::Counter& messages;
  prometheus::Counter& dropped;
  prometheus::Gauge& generation;
  prometheus::Gauge& frozen;
  prometheus::Counter& read_failures;
  prometheus::Gauge& rebuild_running;
  prometheus::Gauge& rebuild_speed;
  prometheus::Family<prometheus::Counter>& rebuilds;
  std::int64_t last_rebuild_generation = 0;
};

Probe::Probe(metrics::Registry& registry) {
  auto& r = registry.prometheus();
  impl_.reset(new Impl{
      gauge(r, "expo_leaderboard_stream_sessions", "WebSocket sessions open on this instance"),
      counter(r, "expo_leaderboard_stream_messages_total", "Stream messages built, one per change of the boards"),
      counter(r, "expo_leaderboard_stream_dropped_total", "Stream sessions dropped for falling behind"),
      gauge(r, "expo_leaderboard_generation", "The live generation of the boards (0: none)"),
      gauge(r, "expo_leaderboard_frozen", "1 while the public boards are frozen"),
      counter(r, "expo_leaderboard_board_read_failures_total", "Reads of the boards from Redis that failed"),
      gauge(r, "expo_leaderboard_rebuild_running", "1 while a rebuild of the boards runs on this instance"),
      gauge(r, "expo_leaderboard_rebuild_events_per_second", "Speed of the last finished rebuild"),
      prometheus::BuildCounter()
          .Name("expo_leaderboard_rebuilds_total")
          .Help("Rebuilds of the boards finished on this instance, by result")
          .Register(r)});
}

Probe::~Probe() = default;

void Probe::sample(const LiveBoards& boards, const http::Broadcaster& broadcaster, const RebuildProgress& rebuild) {
  auto& m = *impl_;
  m.sessions.Set(static_cast<double>(broadcaster.session_count()));
  follow(m.messages, static_cast<double>(boards.stats().messages));
  follow(m.dropped, static_cast<double>(broadcaster.dropped_sessions()));
  follow(m.read_failures, static_cast<double>(boards.stats().reads_failed));
  const auto& state = boards.state();
  m.generation.Set(state && state->generation ? static_cast<double>(*state->generation) : 0.0);
  m.frozen.Set(state && state->display.frozen ? 1.0 : 0.0);
  m.rebuild_running.Set(rebuild.state == RebuildProgress::State::running ? 1.0 : 0.0);
  const bool finished = rebuild.state == RebuildProgress::State::done || rebuild.state == RebuildProgress::State::failed;
  if (finished && rebuild.generation != m.last_rebuild_generation) {
    m.last_rebuild_generation = rebuild.generation;
    m.rebuilds.Add({{"result", std::string(to_string(rebuild.state))}}).Increment();
    if (rebuild.state == RebuildProgress::State::done) {
      m.rebuild_speed.Set(static_cast<double>(events_per_second(rebuild)));
    }
  }
}

}  // namespace expo::leaderboard

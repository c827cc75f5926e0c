#pragma once
// The leaderboard's own series, sampled once a second from the live boards, the stream and the
// rebuilder (labels bounded: none but the rebuild's fixed outcomes):
//   expo_leaderboard_stream_sessions              WebSocket sessions open on this instance
//   expo_leaderboard_stream_messages_total        stream messages built (one per change of the boards)
//   expo_leaderboard_stream_dropped_total         sessions dropped for falling behind
//   expo_leaderboard_generation                   the live generation of the boards (0: none)
//   expo_leaderboard_frozen                       1 while the public boards are frozen
//   expo_leaderboard_board_read_failures_total    reads of the boards from Redis that failed
//   expo_leaderboard_rebuild_running              1 while a rebuild runs on this instance
//   expo_leaderboard_rebuild_events_per_second    the last finished rebuild's speed
//   expo_leaderboard_rebuilds_total{result}       done | failed
// Thread-safety: sample() from one thread at a time (the io thread).

#include <memory>

namespace expo::metrics {
class Registry;
}
namespace expo::http {
class Broadcaster;
}

namespace expo::leaderboard {

class LiveBoards;
struct RebuildProgress;

class Probe {
 public:
  explicit Probe(metrics::Registry& registry);
  ~Probe();
  void sample(const LiveBoards& boards, const http::Broadcaster& broadcaster, const RebuildProgress& rebuild);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::leaderboard

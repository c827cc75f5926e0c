#include "app/rebuilder.hpp"

#include <chrono>
#include <map>

#include "expo/core/log.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "expo/projection/guarded_apply.hpp"
#include "store/board_entries.hpp"
#include "store/board_store.hpp"

namespace expo::leaderboard {
namespace {

// Enough for any real backlog: each round reads what arrived during the one before, at a far higher
// rate than it arrives. Past this the live traffic outruns the rebuild, and it says so.
constexpr int kMaxRounds = 100;

}  // namespace

std::string_view to_string(RebuildProgress::State state) {
  switch (state) {
    case RebuildProgress::State::idle:
      return "idle";
    case RebuildProgress::State::running:
      return "running";
    case RebuildProgress::State::done:
      return "done";
    case RebuildProgress::State::failed:
      return "failed";
  }
  return "idle";
}

Rebuilder::Rebuilder(std::shared_ptr<BoardStore> store, std::string brokers)
    : store_(std::move(store)), brokers_(std::move(brokers)) {}

Rebuilder::~Rebuilder() { stop(); }

bool Rebuilder::start(std::string reason, std::chrono::milliseconds not_within) {
  std::lock_guard lock(mutex_);
  if (progress_.state == RebuildProgress::State::running) return false;
  if (progress_.state != RebuildProgress::State::idle && std::chrono::steady_clock::now() - ended_ < not_within) {
    return false;
  }
  if (thread_.joinable()) thread_.join();  // the last one has finished: its state says so
  cancelled_ = false;
  progress_ = RebuildProgress{};
  progress_.state = RebuildProgress::State::running;
  progress_.reason = reason;
  started_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this, reason = std::move(reason)] { run(reason); });
  return true;
}

RebuildProgress Rebuilder::progress() const {
  std::lock_guard lock(mutex_);
  auto p = progress_;
  if (p.state == RebuildProgress::State::running) {
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  return p;
}

void Rebuilder::stop() {
  cancelled_ = true;
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

void Rebuilder::update(const std::function<void(RebuildProgress&)>& change) {
  std::lock_guard lock(mutex_);
  change(progress_);
  if (progress_.state != RebuildProgress::State::running) ended_ = std::chrono::steady_clock::now();
}

void Rebuilder::run(std::string reason) {
  auto elapsed = [this] {
    std::lock_guard lock(mutex_);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  };
  auto generation = store_->new_generation_sync();
  if (!generation) {
    update([&](RebuildProgress& p) {
      p.state = RebuildProgress::State::failed;
      p.error = generation.error().message;
    });
    log::error("the boards' rebuild could not start", {{"error", generation.error().message}});
    return;
  }
  update([&](RebuildProgress& p) { p.generation = *generation; });
  log::info("rebuilding the boards from the topics", {{"reason", reason}, {"generation", std::to_string(*generation)}});
  auto rebuilt = rebuild(*generation);
  const auto seconds = elapsed();
  if (!rebuilt) {
    // Whatever it wrote is of no use now; the live generation is untouched.
    if (auto dropped = store_->drop_generation_sync(*generation); !dropped) {
      log::warn("a failed rebuild's keys were left", {{"error", dropped.error().message}});
    }
    update([&](RebuildProgress& p) {
      p.state = RebuildProgress::State::failed;
      p.error = rebuilt.error().message;
      p.seconds = seconds;
    });
    log::error("the boards' rebuild failed", {{"error", rebuilt.error().message}});
    return;
  }
  const auto done = progress();
  update([&](RebuildProgress& p) {
    p.state = RebuildProgress::State::done;
    p.seconds = seconds;
  });
  log::info("the boards were rebuilt and swapped in",
            {{"generation", std::to_string(*generation)},
             {"events", std::to_string(done.events)},
             {"rounds", std::to_string(done.rounds)},
             {"events_per_second", std::to_string(seconds > 0 ? static_cast<std::int64_t>(done.events / seconds) : 0)}});
}

Result<void> Rebuilder::rebuild(std::int64_t number) {
  const Generation generation{.number = number, .must_be_live = false};
  const std::vector<std::string> topics{std::string(events::topics::checkins), std::string(events::topics::votes),
                                        std::string(events::topics::admin)};
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> positions;  // where the next round starts
  Fields covered;  // guard field -> the last offset this generation applied
  for (int round = 1; round <= kMaxRounds; ++round) {
    auto live = store_->live_generation_sync();
    if (!live) return live.error();
    auto ranges = kafka::ranges_to_end(brokers_, topics, positions);
    if (!ranges) return ranges.error();
    std::int64_t to_read = 0;
    for (const auto& r : *ranges) to_read += r.to - r.from;
    update([&](RebuildProgress& p) {
      p.rounds = round;
      p.total += to_read;
    });
    kafka::ReadOptions options;
    options.cancelled = [this] { return cancelled_.load(); };
    auto read = kafka::read_ranges(
        brokers_, *ranges,
        [&](std::span<const kafka::Message> messages) -> Result<void> {
          const auto decoded = decode_board_messages(messages);
          if (auto applied = store_->apply_sync(generation, board_entries(decoded, generation)); !applied) {
            return applied.error();
          }
          for (const auto& m : messages) {
            auto& last = covered[projection::guard_field(m.topic, m.partition)];
            last = std::max(last, m.offset);
          }
          update([&](RebuildProgress& p) { p.events += static_cast<std::int64_t>(messages.size()); });
          return {};
        },
        options);
    if (!read) return read.error();
    for (const auto& r : *ranges) positions[{r.topic, r.partition}] = r.to;

    auto swapped = store_->swap_sync(number, *live, covered);
    if (!swapped) return swapped.error();
    if (*swapped == SwapOutcome::swapped) {
      if (*live) {
        if (auto dropped = store_->drop_generation_sync(**live); !dropped) {
          log::warn("the replaced generation's keys were left", {{"error", dropped.error().message}});
        }
      }
      return {};
    }
    // behind: the live generation moved past what this round read; superseded: another rebuild swapped
    // first, or Redis lost the live one. Either way the next round compares with the live one anew.
  }
  return Error::retryable_error("rebuild_outrun", "the live traffic kept ahead of the rebuild for too many rounds");
}

}  // namespace expo::leaderboard

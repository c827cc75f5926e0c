#include "app/rebuilder.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "domain/board_model.hpp"
#include "expo/core/log.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "expo/kafka/tracing.hpp"
#include "expo/projection/guarded_apply.hpp"
#include "store/board_entries.hpp"
#include "store/board_store.hpp"
#include "store/generation_writer.hpp"

namespace expo::leaderboard {
namespace {

// Enough for any real backlog: each round reads what arrived during the one before, at a far higher
// rate than it arrives. Past this the live traffic outruns the rebuild, and it says so.
constexpr int kMaxRounds = 100;
// Long enough for any single step between two renewals (a bulk write of a large history takes seconds),
// short enough that a killed rebuild's keys are swept by the next one soon after.
constexpr std::chrono::seconds kLease{60};
constexpr std::chrono::seconds kLeaseRenewEvery{10};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Decoded batches from the reading thread to the model's thread. At most `capacity` wait: a model
// that falls behind holds the reader back instead of filling memory.
class BatchQueue {
 public:
  explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while full; after close() the batch is dropped.
  void push(std::vector<BoardRecord> batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || batches_.size() < capacity_; });
    if (closed_) return;
    batches_.push_back(std::move(batch));
    not_empty_.notify_one();
  }

  // Blocks while empty; nullopt once closed (what was queued is still handed out first).
  std::optional<std::vector<BoardRecord>> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !batches_.empty(); });
    if (batches_.empty()) return std::nullopt;
    auto batch = std::move(batches_.front());
    batches_.pop_front();
    not_full_.notify_one();
    return batch;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::vector<BoardRecord>> batches_;
  bool closed_ = false;
};

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

std::int64_t events_per_second(const RebuildProgress& p) {
  const auto seconds = p.live_after > 0 ? p.live_after : p.seconds;
  return seconds > 0 ? static_cast<std::int64_t>(static_cast<double>(p.events) / seconds) : 0;
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

std::chrono::steady_clock::time_point Rebuilder::started_at() const {
  std::lock_guard lock(mutex_);
  return started_;
}

Result<void> Rebuilder::keep_lease() {
  const auto now = std::chrono::steady_clock::now();
  if (now - lease_renewed_ < kLeaseRenewEvery) return {};
  if (auto renewed = store_->renew_lease_sync(leased_, kLease); !renewed) return renewed;
  lease_renewed_ = now;
  return {};
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
  if (auto swept = store_->drop_orphan_generations_sync(); !swept) {
    log::warn("the keys of killed rebuilds could not be swept", {{"error", swept.error().message}});
  } else if (!swept->empty()) {
    log::info("dropped the generations of killed rebuilds", {{"count", std::to_string(swept->size())}});
  }
  auto generation = store_->new_generation_sync(kLease);
  if (!generation) {
    update([&](RebuildProgress& p) {
      p.state = RebuildProgress::State::failed;
      p.error = generation.error().message;
    });
    log::error("the boards' rebuild could not start", {{"error", generation.error().message}});
    return;
  }
  update([&](RebuildProgress& p) { p.generation = *generation; });
  leased_ = *generation;
  lease_renewed_ = std::chrono::steady_clock::now();
  log::info("rebuilding the boards from the topics", {{"reason", reason}, {"generation", std::to_string(*generation)}});
  auto rebuilt = rebuild(*generation);
  const auto seconds = elapsed();
  if (!rebuilt) {
    // Whatever it wrote is of no use now; the live generation is untouched. Left keys (Redis gone
    // meanwhile) are swept by the next rebuild once the lease lapses.
    if (auto dropped = store_->drop_generation_sync(*generation); !dropped) {
      log::warn("a failed rebuild's keys were left", {{"error", dropped.error().message}});
    }
  }
  // Live now, or dropped: either way nothing is written under the lease any more.
  if (auto released = store_->release_lease_sync(*generation); !released) {
    log::warn("the rebuild's lease was left to lapse", {{"error", released.error().message}});
  }
  if (!rebuilt) {
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
             {"live_after_ms", std::to_string(static_cast<std::int64_t>(done.live_after * 1000))},
             {"elapsed_ms", std::to_string(static_cast<std::int64_t>(seconds * 1000))},
             {"events_per_second", std::to_string(events_per_second(done))}});
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
    // The first round holds the whole history: counted in memory and written in bulk. The later ones
    // hold what arrived meanwhile, a little, and go through the guarded script like the projection.
    auto read = round == 1 ? count_in_memory(generation, *ranges, covered)
                           : apply_by_script(generation, *ranges, covered);
    if (!read) return read.error();
    for (const auto& r : *ranges) positions[{r.topic, r.partition}] = r.to;
    if (auto leased = keep_lease(); !leased) return leased.error();

    auto swapped = store_->swap_sync(number, *live, covered);
    if (!swapped) return swapped.error();
    if (*swapped == SwapOutcome::swapped) {
      const auto live_after = seconds_since(started_at());  // not inside update(): both take the lock
      update([&](RebuildProgress& p) { p.live_after = live_after; });
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

Result<void> Rebuilder::read_into(BoardModel& model, std::span<const kafka::PartitionRange> ranges,
                                  std::int64_t& malformed) {
  // Two stages, one a thread: this one reads and decodes (the JSON, the larger share), the model's
  // applies. Each partition's records reach the model in offset order, as the guard wants;
  // partitions interleave as they do for the projection.
  BatchQueue queue(4);
  std::thread applier([&] {
    while (auto batch = queue.pop()) {
      for (const auto& record : *batch) model.apply(record);
    }
  });
  kafka::ReadOptions options;
  options.cancelled = [this] { return cancelled_.load(); };
  auto read = kafka::read_ranges(
      brokers_, ranges,
      [&](std::span<const kafka::Message> messages) -> Result<void> {
        std::vector<BoardRecord> batch;
        batch.reserve(messages.size());
        for (const auto& m : messages) {
          auto record = decode_record(m.topic, m.partition, m.offset, m.value);
          if (!record) continue;  // not a topic of the boards (the rebuild reads none)
          if (record->malformed) {
            // As decode_board_messages logs it: the position is covered, the content never logged.
            ++malformed;
            kafka::log_skipped(m, record->malformed->message);
          }
          batch.push_back(std::move(*record));
        }
        queue.push(std::move(batch));
        update([&](RebuildProgress& p) { p.events += static_cast<std::int64_t>(messages.size()); });
        return keep_lease();
      },
      options);
  queue.close();  // the applier drains what is queued, then ends
  applier.join();
  return read;
}

Result<void> Rebuilder::count_in_memory(const Generation& generation, std::span<const kafka::PartitionRange> ranges,
                                        Fields& covered) {
  const auto started = std::chrono::steady_clock::now();
  std::int64_t malformed = 0;
  GenerationWriteOptions write_options;
  write_options.cancelled = [this] { return cancelled_.load(); };
  auto writer = store_->generation_writer(generation, write_options);
  if (auto checked = writer.start_sync(); !checked) return checked;
  // Votes and voids first: their ledger (the larger share of the writing) then goes to Redis while the
  // check-ins are read and counted, which share no state with it (board_model.hpp). Counting the two
  // at once was slower on two cores: the ledger's write started later.
  std::vector<kafka::PartitionRange> ledger_ranges, checkin_ranges;
  for (const auto& r : ranges) (r.topic == events::topics::checkins ? checkin_ranges : ledger_ranges).push_back(r);
  {
    // Scoped: the model (a few hundred bytes a message) is freed once written.
    BoardModel model;
    if (auto read = read_into(model, ledger_ranges, malformed); !read) return read;
    const auto votes_read_ms = static_cast<std::int64_t>(seconds_since(started) * 1000);
    std::int64_t ledger_written_ms = 0;
    auto ledger = std::async(std::launch::async, [&] {
      auto written = writer.write_vote_ledger_sync(model);
      ledger_written_ms = static_cast<std::int64_t>(seconds_since(started) * 1000);
      return written;
    });
    auto read = read_into(model, checkin_ranges, malformed);
    const auto checkins_read_ms = static_cast<std::int64_t>(seconds_since(started) * 1000);
    auto ledger_written = ledger.get();  // before anything returns: the write reads the model
    if (!read) return read;
    if (!ledger_written) return ledger_written;
    const auto counted_ms = static_cast<std::int64_t>(seconds_since(started) * 1000);
    // The check-in sets after all of them are counted: sent in pieces while more were counted, they
    // cost Redis more than the overlap saved (measured).
    if (auto leased = keep_lease(); !leased) return leased;
    if (auto written = writer.write_checkins_sync(model); !written) return written;
    if (auto written = writer.finish_sync(model); !written) return written;
    for (const auto& [position, offset] : model.guard()) {
      auto& last = covered[projection::guard_field(position.topic, position.partition)];
      last = std::max(last, offset);
    }
    log::info("the boards' history was counted in memory and written in bulk",
              {{"generation", std::to_string(generation.number)},
               {"votes_read_ms", std::to_string(votes_read_ms)},
               {"checkins_read_ms", std::to_string(checkins_read_ms)},
               {"ledger_written_ms", std::to_string(ledger_written_ms)},
               {"counted_ms", std::to_string(counted_ms)},
               {"written_ms", std::to_string(static_cast<std::int64_t>(seconds_since(started) * 1000))},
               {"commands", std::to_string(writer.stats().commands)},
               {"round_trips", std::to_string(writer.stats().round_trips)},
               {"entries", std::to_string(writer.stats().entries)},
               {"malformed", std::to_string(malformed)}});
  }
  return {};
}

Result<void> Rebuilder::apply_by_script(const Generation& generation, std::span<const kafka::PartitionRange> ranges,
                                        Fields& covered) {
  kafka::ReadOptions options;
  options.cancelled = [this] { return cancelled_.load(); };
  return kafka::read_ranges(
      brokers_, ranges,
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
        return keep_lease();
      },
      options);
}

}  // namespace expo::leaderboard

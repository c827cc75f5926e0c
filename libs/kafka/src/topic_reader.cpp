// read_ranges (topic_reader.hpp): one short-lived client reads the given ranges and returns.
//
// librdkafka's assign() needs a group.id even with explicit offsets (it answers _UNKNOWN_GROUP
// without one), which would bring a group coordinator into a read that wants none. So the reader
// uses the partition-level API instead: rd_kafka_consume_start_queue per partition, at the range's
// start, all into one queue, and rd_kafka_consume_stop once a range is finished. No group, no
// coordinator, no commit.

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "client.hpp"
#include "expo/kafka/properties.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "held_batch.hpp"
#include "log_limiter.hpp"
#include "range_positions.hpp"

namespace expo::kafka {
namespace {

using Clock = std::chrono::steady_clock;
using detail::MessagePtr;
using detail::RangePositions;

// How long one wait for the first message of a batch lasts: bounds how late cancelled() is asked
// and the no-progress timeout is noticed.
constexpr int kWaitMs = 100;
// Messages taken from librdkafka per call while filling a batch.
constexpr std::size_t kTakeChunk = 1024;

std::string where(const PartitionRange& r, std::int64_t offset) {
  return r.topic + "/" + std::to_string(r.partition) + "@" + std::to_string(offset);
}

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

class Reader {
 public:
  Reader(RangePositions positions, const BatchHandler& handler, const ReadOptions& options)
      : positions_(std::move(positions)), handler_(handler), options_(options) {}

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Order matters: the messages (held or queued) before the consumption they came from, the
  // partitions stopped before their topic handles go, everything before the client.
  ~Reader() {
    held_.clear();
    for (std::size_t i = 0; i < started_.size(); ++i) {
      if (started_[i]) rd_kafka_consume_stop(topic_of(i), positions_.ranges()[i].partition);
    }
    queue_.reset();
    topics_.clear();
    rk_.reset();
  }

  Result<void> open(const Properties& props) {
    auto conf = detail::make_conf(props);
    if (!conf) return conf.error();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_error_cb(conf->get(), &Reader::on_error);
    auto rk = detail::make_handle(RD_KAFKA_CONSUMER, *conf);
    if (!rk) return rk.error();
    rk_ = std::move(*rk);
    queue_.reset(rd_kafka_queue_new(rk_.get()));
    const auto& ranges = positions_.ranges();
    started_.assign(ranges.size(), false);
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      const auto& r = ranges[i];
      if (rd_kafka_consume_start_queue(topic_of(i), r.partition, r.from, queue_.get()) == -1) {
        const auto err = rd_kafka_last_error();
        return Error::permanent("kafka_config", "cannot start reading " + where(r, r.from) + ": " +
                                                    rd_kafka_err2name(err));
      }
      started_[i] = true;
    }
    return {};
  }

  Result<void> run() {
    auto last_progress = Clock::now();
    while (!positions_.all_finished()) {
      if (options_.cancelled && options_.cancelled()) {
        return Error::permanent("cancelled", "read cancelled with " + std::to_string(positions_.unfinished()) +
                                                 " ranges unfinished");
      }
      // Error events (all brokers down, authentication) reach on_error only through the main queue.
      rd_kafka_poll(rk_.get(), 0);
      const auto done_before = positions_.done();
      auto taken = take(held_.empty() ? kWaitMs : 0);
      if (!taken) return taken.error();
      if (positions_.done() != done_before) last_progress = Clock::now();
      // A batch goes to the handler once it is full, or once librdkafka has nothing more fetched
      // right now: a backlog comes in full batches, and nothing waits for messages not yet fetched.
      const bool full = held_.size() >= options_.max_messages;
      if (!held_.empty() && (full || *taken == 0 || positions_.all_finished())) {
        if (auto handled = hand_over(); !handled) return handled;
        last_progress = Clock::now();
      }
      if (Clock::now() - last_progress > options_.timeout) return stalled();
    }
    if (!held_.empty()) {
      if (auto handled = hand_over(); !handled) return handled;
    }
    report_progress();
    return {};
  }

 private:
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    detail::log_client_error(rk, err, reason);
    static_cast<Reader*>(opaque)->last_error_ = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err));
  }

  rd_kafka_topic_t* topic_of(std::size_t index) {
    const auto& name = positions_.ranges()[index].topic;
    for (auto& t : topics_) {
      if (name == rd_kafka_topic_name(t.get())) return t.get();
    }
    topics_.emplace_back(rd_kafka_topic_new(rk_.get(), name.c_str(), nullptr));
    return topics_.back().get();
  }

  // Takes what librdkafka has fetched, up to the room left in the batch; with `wait_ms` > 0 first
  // waits that long at most for one event. Returns how many events (messages, ends, errors) it took.
  Result<std::size_t> take(int wait_ms) {
    std::size_t taken = 0;
    if (wait_ms > 0) {
      MessagePtr first(rd_kafka_consume_queue(queue_.get(), wait_ms));
      if (!first) return taken;
      ++taken;
      if (auto accepted = accept(std::move(first)); !accepted) return accepted.error();
    }
    rd_kafka_message_t* chunk[kTakeChunk];
    while (held_.size() < options_.max_messages && !positions_.all_finished()) {
      const auto room = std::min(kTakeChunk, options_.max_messages - held_.size());
      const auto n = rd_kafka_consume_batch_queue(queue_.get(), 0, chunk, room);
      if (n <= 0) break;
      const auto count = static_cast<std::size_t>(n);
      taken += count;
      // Every message of the chunk is owned from here on, whatever happens to the ones before it.
      std::vector<MessagePtr> owned;
      owned.reserve(count);
      for (std::size_t i = 0; i < count; ++i) owned.emplace_back(chunk[i]);
      for (auto& m : owned) {
        if (auto accepted = accept(std::move(m)); !accepted) return accepted.error();
      }
      if (count < room) break;  // nothing more fetched right now
    }
    return taken;
  }

  // One event from the queue: a message to hold (or to let go: beyond `to`, or of a finished
  // range), the end of a partition, or an error.
  Result<void> accept(MessagePtr m) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      const std::size_t index = m->rkt != nullptr ? positions_.find(rd_kafka_topic_name(m->rkt), m->partition)
                                                  : RangePositions::npos;
      if (index == RangePositions::npos) return {};
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // The event's offset is the next one to fetch: everything below it has been queued before it.
        if (positions_.on_end(index, m->offset)) stop(index);
        return {};
      }
      const auto step = positions_.on_message(index, m->offset);
      if (step.deliver) held_.add(std::move(m));
      if (step.finished) stop(index);
      return {};
    }
    const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      return Error::permanent("kafka_offset_out_of_range",
                              std::string("reading ") + topic + "/" + std::to_string(m->partition) + " at " +
                                  std::to_string(m->offset) + ": offset outside the partition's log");
    }
    // Anything else (a broker gone, a leader moving) librdkafka retries by itself; if it lasts, the
    // no-progress timeout ends the read and names the error.
    last_error_ = rd_kafka_err2name(m->err);
    detail::log_limited(rk_.get(), log::Level::warn, std::string("read/") + last_error_, "kafka read error",
                        {"error", last_error_}, {"topic", topic});
    return {};
  }

  // A finished range: no more fetching for its partition. Messages of it still queued are beyond
  // `to` and are let go as they come.
  void stop(std::size_t index) {
    if (!started_[index]) return;
    rd_kafka_consume_stop(topic_of(index), positions_.ranges()[index].partition);
    started_[index] = false;
  }

  Result<void> hand_over() {
    Result<void> result;
    // A throwing handler must not end the process; the read ends with its error like any other.
    try {
      result = handler_(held_.messages());
    } catch (const std::exception& e) {
      result = Error::retryable_error("handler_exception", e.what());
    } catch (...) {
      result = Error::retryable_error("handler_exception", "unknown exception");
    }
    held_.clear();
    if (!result) return result;
    report_progress();
    return {};
  }

  void report_progress() {
    if (!options_.on_progress || positions_.done() == reported_) return;
    reported_ = positions_.done();
    options_.on_progress(positions_.done(), positions_.total());
  }

  Error stalled() const {
    std::string first;
    for (std::size_t i = 0; i < positions_.ranges().size(); ++i) {
      if (positions_.finished(i)) continue;
      const auto& r = positions_.ranges()[i];
      first = where(r, positions_.position(i)) + " of " + std::to_string(r.to);
      break;
    }
    return Error::retryable_error(
        "kafka_unavailable", "read: no progress for " + std::to_string(options_.timeout.count()) + " ms; " +
                                 std::to_string(positions_.unfinished()) + " ranges unfinished, first " + first +
                                 (last_error_.empty() ? std::string() : "; last error " + last_error_));
  }

  RangePositions positions_;
  const BatchHandler& handler_;
  const ReadOptions& options_;
  detail::HandlePtr rk_;
  std::vector<TopicPtr> topics_;
  detail::QueuePtr queue_;
  std::vector<bool> started_;  // by range index: consumption started and not stopped
  detail::HeldBatch held_;
  std::int64_t reported_ = 0;
  std::string last_error_;
};

}  // namespace

const Properties& paced_reader_properties() {
  static const Properties properties{
      {"queued.min.messages", "20000"},
      {"queued.max.messages.kbytes", "4096"},
      {"max.partition.fetch.bytes", "262144"},
      {"fetch.max.bytes", "1048576"},
  };
  return properties;
}

ReadOptions paced_read_options(std::function<bool()> cancelled) {
  ReadOptions options;
  options.max_messages = 1000;
  options.cancelled = std::move(cancelled);
  options.extra = paced_reader_properties();
  return options;
}

Result<void> read_ranges(const std::string& brokers, std::span<const PartitionRange> ranges,
                         const BatchHandler& handler, const ReadOptions& options) {
  if (!handler) return Error::permanent("kafka_config", "handler is empty");
  if (options.max_messages == 0) return Error::permanent("kafka_config", "max_messages must be at least 1");
  if (options.timeout.count() <= 0) return Error::permanent("kafka_config", "timeout must be positive");
  auto props = reader_properties(brokers, options.extra);
  if (!props) return props.error();
  auto positions = RangePositions::create(ranges);
  if (!positions) return positions.error();
  if (positions->all_finished()) return {};  // only empty ranges: nothing to connect for
  Reader reader(std::move(*positions), handler, options);
  if (auto opened = reader.open(*props); !opened) return opened;
  return reader.run();
}

}  // namespace expo::kafka

#include "broker_queries.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <thread>

#include "log_limiter.hpp"

namespace expo::kafka::detail {
namespace {

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

// What is left of `deadline` for one librdkafka call, in its int milliseconds; 0 once it passed.
int remaining_ms(QueryClock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - QueryClock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, std::numeric_limits<int>::max()));
}

// Between two tries of an end offsets query that failed with an error that may pass. Short:
// stop() may have to wait for it.
constexpr std::chrono::milliseconds kRetryBackoff{50};

enum class Step { metadata, watermarks };

const char* step_name(Step step) { return step == Step::metadata ? "metadata" : "watermarks"; }

// One try of query_watermarks: `err` says why it failed (NO_ERROR: `marks` holds the answer).
struct WatermarksAttempt {
  Step step = Step::metadata;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::vector<Watermarks> marks{};

  WatermarksAttempt& fail(rd_kafka_resp_err_t why) {
    err = why;
    return *this;
  }

  // Only the metadata answer decides that a topic does not exist (an invalid name cannot exist);
  // a watermark request may briefly miss a partition its broker is still creating.
  bool topic_missing() const {
    return step == Step::metadata &&
           (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
            err == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
  }
};

// The partition count from a metadata request for the topic, then one watermark request per
// partition. Gives up with __DESTROY when `cancelled` is set, __TIMED_OUT when `deadline` passed.
WatermarksAttempt attempt_watermarks(rd_kafka_t* rk, rd_kafka_topic_t* handle, QueryClock::time_point deadline,
                                     const std::atomic<bool>& cancelled) {
  WatermarksAttempt attempt;
  if (cancelled.load()) return attempt.fail(RD_KAFKA_RESP_ERR__DESTROY);
  const int metadata_timeout_ms = remaining_ms(deadline);
  if (metadata_timeout_ms == 0) return attempt.fail(RD_KAFKA_RESP_ERR__TIMED_OUT);
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk, 0, handle, &raw, metadata_timeout_ms);
  MetadataPtr md(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return attempt.fail(err);
  if (md->topic_cnt == 1 && md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return attempt.fail(md->topics[0].err);
  }
  // An answer without the topic or without partitions: metadata not settled yet (a topic being
  // created), which brokers otherwise report as LEADER_NOT_AVAILABLE.
  if (md->topic_cnt != 1 || md->topics[0].partition_cnt <= 0) {
    return attempt.fail(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
  }

  // Kafka numbers partitions 0..n-1, so the answer is indexed by partition id.
  const std::int32_t partitions = md->topics[0].partition_cnt;
  const char* topic = rd_kafka_topic_name(handle);
  attempt.step = Step::watermarks;
  attempt.marks.assign(static_cast<std::size_t>(partitions), Watermarks{});
  for (std::int32_t partition = 0; partition < partitions; ++partition) {
    if (cancelled.load()) return attempt.fail(RD_KAFKA_RESP_ERR__DESTROY);
    const int timeout_ms = remaining_ms(deadline);
    if (timeout_ms == 0) return attempt.fail(RD_KAFKA_RESP_ERR__TIMED_OUT);
    std::int64_t low = 0;
    std::int64_t high = 0;
    const auto werr = rd_kafka_query_watermark_offsets(rk, topic, partition, &low, &high, timeout_ms);
    if (werr != RD_KAFKA_RESP_ERR_NO_ERROR) return attempt.fail(werr);
    attempt.marks[static_cast<std::size_t>(partition)] = Watermarks{low, high};
  }
  return attempt;
}

// A failure the query gives up on. The topic name is not personal data: it may be logged.
Error end_offsets_error(rd_kafka_t* rk, const std::string& topic, rd_kafka_resp_err_t err, const char* step) {
  if (err == RD_KAFKA_RESP_ERR__INVALID_ARG) {
    return Error::permanent("kafka_unknown_topic", "end offsets: '" + topic + "' is not a valid topic name");
  }
  detail::log_limited(rk, log::Level::warn, std::string("end_offsets/") + rd_kafka_err2name(err),
                      "kafka end offsets query failed", {"error", rd_kafka_err2name(err)}, {"topic", topic});
  return Error::retryable_error("kafka_unavailable",
                                std::string("end offsets: ") + step + " failed: " + rd_kafka_err2name(err));
}

Error stopped_error() { return Error::retryable_error("kafka_unavailable", "end offsets: producer stopped"); }

}  // namespace

bool metadata_answered(rd_kafka_t* rk, QueryClock::time_point deadline) {
  const int timeout_ms = remaining_ms(deadline);
  if (timeout_ms == 0) return false;  // waited behind other queries for all of its time
  const rd_kafka_metadata_t* raw = nullptr;
  // all_topics=0 and no topic: asks only for the brokers and the topics this client uses.
  const auto err = rd_kafka_metadata(rk, 0, nullptr, &raw, timeout_ms);
  MetadataPtr md(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    detail::log_limited(rk, log::Level::warn, "probe", "kafka reachability probe failed",
                        {"error", rd_kafka_err2name(err)}, {"timeout_ms", std::to_string(timeout_ms)});
    return false;
  }
  return true;
}

Result<std::vector<Watermarks>> query_watermarks(rd_kafka_t* rk, const std::string& topic,
                                                 QueryClock::time_point deadline, const std::atomic<bool>& cancelled) {
  if (topic.empty()) return end_offsets_error(rk, topic, RD_KAFKA_RESP_ERR__INVALID_ARG, "topic name");
  // A topic handle is how rd_kafka_metadata asks about one topic only. The producer already holds
  // one for every topic it writes to; this adds a reference for the duration of the query.
  TopicPtr handle(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  if (!handle) return end_offsets_error(rk, topic, rd_kafka_last_error(), "topic handle");
  for (;;) {
    auto attempt = attempt_watermarks(rk, handle.get(), deadline, cancelled);
    if (attempt.err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::move(attempt.marks);
    if (attempt.err == RD_KAFKA_RESP_ERR__DESTROY) return stopped_error();
    if (attempt.topic_missing()) {
      return Error::permanent("kafka_unknown_topic", "end offsets: topic '" + topic + "' does not exist");
    }
    // Right after a topic is created or a leader moves, brokers answer NOT_LEADER_FOR_PARTITION,
    // LEADER_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PART for a moment: worth another try while the
    // caller's time lasts. Each try starts from fresh metadata, which also refreshes the leaders.
    if (QueryClock::now() + kRetryBackoff >= deadline) {
      return end_offsets_error(rk, topic, attempt.err, step_name(attempt.step));
    }
    std::this_thread::sleep_for(kRetryBackoff);
  }
}

Result<std::vector<std::int64_t>> query_end_offsets(rd_kafka_t* rk, const std::string& topic,
                                                    QueryClock::time_point deadline,
                                                    const std::atomic<bool>& cancelled) {
  auto marks = query_watermarks(rk, topic, deadline, cancelled);
  if (!marks) return marks.error();
  std::vector<std::int64_t> ends;
  ends.reserve(marks->size());
  for (const auto& m : *marks) ends.push_back(m.high);
  return ends;
}

}  // namespace expo::kafka::detail

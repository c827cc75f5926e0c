#include "expo/kafka/admin.hpp"

#include <algorithm>
#include <thread>

#include "client.hpp"

namespace expo::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct EventDeleter {
  void operator()(rd_kafka_event_t* ev) const { rd_kafka_event_destroy(ev); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};

struct NewTopics {
  std::vector<rd_kafka_NewTopic_t*> items;
  ~NewTopics() {
    for (auto* t : items) rd_kafka_NewTopic_destroy(t);
  }
};

struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 1, 3'600'000));
}

bool is_transient(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
         err == RD_KAFKA_RESP_ERR_NOT_CONTROLLER;
}

Error admin_error(rd_kafka_resp_err_t err, std::string message) {
  if (is_transient(err)) return Error::retryable_error("kafka_unavailable", std::move(message));
  return Error::permanent("kafka_create_topics", std::move(message));
}

// True once the broker's metadata lists the topic with a leader for every partition.
bool topic_ready(rd_kafka_t* rk, const std::string& name, Clock::time_point deadline) {
  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> rkt(rd_kafka_topic_new(rk, name.c_str(), nullptr));
  if (!rkt) return false;
  const rd_kafka_metadata_t* md = nullptr;
  const auto err = rd_kafka_metadata(rk, 0, rkt.get(), &md, std::min(remaining_ms(deadline), 5000));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md == nullptr) {
    if (md != nullptr) rd_kafka_metadata_destroy(md);
    return false;
  }
  bool ready = false;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (name != t.topic || t.err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partition_cnt == 0) continue;
    ready = std::all_of(t.partitions, t.partitions + t.partition_cnt, [](const rd_kafka_metadata_partition_t& p) {
      return p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.leader >= 0;
    });
  }
  rd_kafka_metadata_destroy(md);
  return ready;
}

}  // namespace

Result<void> create_topics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                           std::chrono::milliseconds timeout) {
  if (brokers.empty()) return Error::permanent("kafka_config", "brokers is empty");
  if (topics.empty()) return {};
  const auto deadline = Clock::now() + timeout;

  // The metadata polls below must not create a topic through broker auto-creation.
  auto conf = detail::make_conf({{"bootstrap.servers", brokers}, {"allow.auto.create.topics", "false"}});
  if (!conf) return conf.error();
  auto rk = detail::make_handle(RD_KAFKA_PRODUCER, *conf);
  if (!rk) return rk.error();

  NewTopics new_topics;
  char errstr[512];
  for (const auto& spec : topics) {
    auto* t = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor, errstr, sizeof errstr);
    if (t == nullptr) return Error::permanent("kafka_config", "topic '" + spec.name + "': " + errstr);
    new_topics.items.push_back(t);
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
      rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int timeout_ms = remaining_ms(deadline);
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof errstr);
  // Lets the broker answer only once the controller has created the topics.
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof errstr);

  detail::QueuePtr queue(rd_kafka_queue_new(rk->get()));
  rd_kafka_CreateTopics(rk->get(), new_topics.items.data(), new_topics.items.size(), options.get(), queue.get());
  EventPtr ev(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!ev) return Error::retryable_error("kafka_unavailable", "create topics: no answer from the broker");
  if (const auto err = rd_kafka_event_error(ev.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return admin_error(err, std::string("create topics: ") + rd_kafka_err2name(err) + ": " +
                                rd_kafka_event_error_string(ev.get()));
  }
  const auto* result = rd_kafka_event_CreateTopics_result(ev.get());
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
    const char* text = rd_kafka_topic_result_error_string(results[i]);
    return admin_error(err, std::string("create topic '") + rd_kafka_topic_result_name(results[i]) +
                                "': " + rd_kafka_err2name(err) + (text != nullptr ? std::string(": ") + text : ""));
  }

  for (const auto& spec : topics) {
    while (!topic_ready(rk->get(), spec.name, deadline)) {
      if (Clock::now() >= deadline) {
        return Error::retryable_error("kafka_unavailable", "topic '" + spec.name + "' has no leader yet");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return {};
}

}  // namespace expo::kafka

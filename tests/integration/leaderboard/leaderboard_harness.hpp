#pragma once
// What the leaderboard's integration tests share: the service as a process on the test stack's Kafka
// and Redis, events produced straight to checkins.v1, votes.v1 and admin.v1 as the check-in and
// voting services write them, and the ways to look at the result: the audit (every counter, also of
// ids the event does not know, so a test reads its own lines exactly although the topics are shared),
// the boards, and expo-recount (the tally recounted from Kafka alone).
//
// Each test uses ids of its own (TestIds) and a fresh consumer group, so it reads the whole log from
// offset 0; caught_up() waits until the service has applied every message produced so far.

#include <gtest/gtest.h>

#include <array>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "expo/testing/http_client.hpp"
#include "expo/testing/redis_reader.hpp"
#include "expo/testing/service_process.hpp"
#include "expo/testing/topic_producer.hpp"

namespace lb_it {

using namespace std::chrono_literals;

inline const std::string admin_token = "leaderboard-test-admin-token-0123456789";
// Day 1 of the 2023 event, mid-morning WIB.
inline const std::string clock_start = "2023-11-23T10:00:00+07:00";
inline const std::array<std::string, 3> event_days{"2023-11-23", "2023-11-24", "2023-11-25"};
inline constexpr std::string_view whole_event = "all";

// An event time of the default event (WIB): at("2023-11-23", "10:15:00") or "12:00:00.001".
std::string at(std::string_view day, std::string_view local_time);

// Ids of one test: booths "tb-<r>-<n>", innovations "ti-<r>-<n>", visitors "tv-<r>-<n>", devices
// "td-<r>-<n>", with <r> random. Unknown to the event: they show in the audit only.
class TestIds {
 public:
  TestIds();
  std::string booth(int n) const { return "tb-" + run_ + "-" + std::to_string(n); }
  std::string innovation(int n) const { return "ti-" + run_ + "-" + std::to_string(n); }
  std::string visitor(int n) const { return "tv-" + run_ + "-" + std::to_string(n); }
  std::string device(int n) const { return "td-" + run_ + "-" + std::to_string(n); }
  bool owns(std::string_view id) const;

 private:
  std::string run_;
};

// One message as a service would have written it.
struct Message {
  std::string topic, key, value;
};

// checkins.v1 checked_in (services/checkin/app/checkins.cpp), keyed by visitor.
Message checked_in(const std::string& visitor, const std::string& booth, const std::string& day,
                   std::string_view local_time, const std::string& device);
// Every member has a default initializer, so designated initializers may omit any.
struct Vote {
  std::string vote_id{};  // empty: a fresh one
  std::string visitor{}, innovation{}, day{};
  std::string local_time = "10:00:00";
  std::string device{};  // empty: from the visitor's phone
  std::string booth = "tb-x", region = "tr-x";
};
// votes.v1 vote_cast (events::votes::cast), keyed by visitor.
Message vote_cast(const Vote& vote);
// admin.v1 votes_voided of a visitor's or a device's votes cast at or before the void's time.
Message visitor_void(const std::string& visitor, const std::string& day, std::string_view local_time);
Message device_void(const std::string& device, const std::string& day, std::string_view local_time);

// Audit lines by (id, period), period a day or "all".
struct VoteCounts {
  std::int64_t votes = 0, voided = 0;
  bool operator==(const VoteCounts&) const = default;
};
struct VisitCounts {
  std::int64_t checkins = 0, unique_visitors = 0;
  bool operator==(const VisitCounts&) const = default;
};
using Line = std::pair<std::string, std::string>;
using InnovationLines = std::map<Line, VoteCounts>;
using BoothLines = std::map<Line, VisitCounts>;
std::ostream& operator<<(std::ostream& out, const VoteCounts& c);
std::ostream& operator<<(std::ostream& out, const VisitCounts& c);

struct Audit {
  int status = 0;
  std::string body;
  boost::json::object json;

  std::string sha256() const;
  bool frozen() const;
  // (topic, partition) -> next_offset (the first message not covered).
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets() const;
  InnovationLines innovations(const TestIds& ids) const;  // only the lines of the test's ids
  BoothLines booths(const TestIds& ids) const;
  VoteCounts innovation(const std::string& id, std::string_view period) const;  // any id; zeros if no line
};

// The canonical lines in which two audits differ ("- " only in `was`, "+ " only in `now`), for a
// failure message that says what changed.
std::string audit_diff(const Audit& was, const Audit& now);

// The audit lines of check-ins and votes (no voids) computed by the rules of
// services/leaderboard/domain/README.md ("What a recount counts"), fed in the order produced, which
// is the log's order per visitor (every topic is keyed by visitor).
class Expected {
 public:
  void checked_in(const std::string& visitor, const std::string& booth, const std::string& day);
  void cast(const std::string& vote_id, const std::string& visitor, const std::string& innovation,
            const std::string& day);
  InnovationLines innovations() const;
  BoothLines booths() const;

 private:
  std::set<std::tuple<std::string, std::string, std::string>> checkins_;  // booth, day, visitor
  std::set<std::string> vote_ids_;
  std::set<std::pair<std::string, std::string>> pairs_;  // visitor, innovation
  std::map<Line, std::int64_t> votes_;                   // innovation, day
};

struct Recount {
  int status = -1;     // expo-recount's exit status: 0 match, 1 mismatch
  std::string output;  // stdout and stderr
};

// The partitions of checkins.v1, votes.v1 and admin.v1 -> their end offsets now (every message
// acknowledged so far lies below).
std::map<std::pair<std::string, std::int32_t>, std::int64_t> log_ends(const std::string& brokers);

class LeaderboardTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts expo-leaderboard with `group` (a fresh one when empty) and waits until it is ready.
  void start_service(std::string group = {});
  // Sends `signal` and waits for the exit; the exit status (or -signal).
  int stop_service(int signal);
  expo::testing::ServiceProcess& service() { return *service_; }
  const std::string& group() const { return group_; }

  void send(const Message& m) { producer_->send(m.topic, m.key, m.value); }
  void send(const std::vector<Message>& messages) {
    for (const auto& m : messages) send(m);
  }
  // Waits until the broker acknowledged every message sent so far.
  ::testing::AssertionResult flushed();

  Audit audit();
  // Until the audit covers every message of the three topics produced so far (their end offsets at
  // the call). With `whole_log` also until the consumer has read every partition to its end (lag 0):
  // a fresh group reads the log from offset 0, and the guard makes those replays invisible in the
  // audit. Not for a restart with the same group (partitions with nothing new report no lag).
  ::testing::AssertionResult caught_up(bool whole_log = true, std::chrono::milliseconds deadline = 90s);
  // Until the LIVE generation in Redis (not the frozen copy the public sees) has applied every message
  // of the three topics produced so far.
  ::testing::AssertionResult live_boards_applied_all(std::chrono::milliseconds deadline = 30s);
  // Until the only generation with keys in Redis ("{lb}:g<N>:...") is the live one: a rebuild
  // drops the generation it replaced, or its own when it fails or is cancelled.
  ::testing::AssertionResult only_the_live_generation_has_keys(std::chrono::milliseconds deadline = 10s);
  // The tally after a replay or a rebuild against the one before: the same hash and boards when it
  // covers the same positions. The topics are shared, so another client of the test stack may have
  // written meanwhile (a benchmark, another suite): then the positions differ, the boards have moved
  // on, and what must hold instead is that the tally is exactly expo-recount's recount of the log up
  // to its positions. Said on stdout, so such a run is visible.
  void expect_same_or_recounted(const Audit& before, const std::map<std::string, std::string>& boards_before,
                                const Audit& after);
  // expo-recount --audit on this audit.
  Recount recount(const Audit& audit);
  // Every public board of the whole event and of each day: "innovations", "regions?day=2023-11-24", ... -> body.
  std::map<std::string, std::string> boards();
  expo::testing::HttpResult get(const std::string& target) { return http_->get(target); }
  expo::testing::HttpResult admin(const std::string& method, const std::string& path, bool with_token = true);
  // The rebuild's progress (GET /v1/admin/leaderboards/rebuild) once it is no longer running, or the
  // last one seen after `deadline`.
  boost::json::object rebuild_progress_when_ended(std::chrono::milliseconds deadline = 120s);
  expo::testing::RedisReader& redis() { return *redis_; }
  const std::string& brokers() const { return brokers_; }

  std::string brokers_;
  int redis_port_ = 0;
  TestIds ids_;
  std::unique_ptr<expo::testing::TopicProducer> producer_;
  std::unique_ptr<expo::testing::RedisReader> redis_;
  std::unique_ptr<expo::testing::ServiceProcess> service_;
  std::unique_ptr<expo::testing::HttpClient> http_;
  std::string group_;
};

}  // namespace lb_it

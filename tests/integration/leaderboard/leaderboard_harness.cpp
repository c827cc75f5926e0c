#include "leaderboard_harness.hpp"

#include <signal.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/votes.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "expo/testing/child_process.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/fixtures.hpp"

#ifndef EXPO_RECOUNT_BINARY
#error "EXPO_RECOUNT_BINARY must name the expo-recount executable"
#endif

namespace lb_it {

using expo::testing::HttpClient;
using expo::testing::HttpResult;
using expo::testing::random_id;

namespace {

const std::vector<std::string> board_topics{std::string(expo::events::topics::checkins),
                                            std::string(expo::events::topics::votes),
                                            std::string(expo::events::topics::admin)};

std::string str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t num(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

const boost::json::array& array_of(const boost::json::object& o, std::string_view key) {
  static const boost::json::array empty;
  const auto* v = o.if_contains(key);
  return v && v->is_array() ? v->as_array() : empty;
}

// The value of `name="..."` inside a Prometheus label set.
std::string label(std::string_view labels, std::string_view name) {
  const auto key = std::string(name) + "=\"";
  const auto start = labels.find(key);
  if (start == std::string_view::npos) return {};
  const auto from = start + key.size();
  return std::string(labels.substr(from, labels.find('"', from) - from));
}

// expo_kafka_consumer_lag of the service's consumer: (topic, partition) -> lag. Only partitions it
// has read a message of are listed.
std::map<std::pair<std::string, std::int32_t>, std::int64_t> consumer_lags(HttpClient& http) {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> out;
  std::istringstream metrics(http.get("/metrics").body);
  for (std::string line; std::getline(metrics, line);) {
    if (!line.starts_with("expo_kafka_consumer_lag{")) continue;
    const auto close = line.find('}');
    if (close == std::string::npos) continue;
    const std::string_view labels(line.data(), close);
    out[{label(labels, "topic"), std::stoi(label(labels, "partition"))}] =
        static_cast<std::int64_t>(std::stod(line.substr(close + 1)));
  }
  return out;
}

std::vector<expo::kafka::PartitionRange> log_ranges(const std::string& brokers) {
  auto ranges = expo::kafka::ranges_to_end(brokers, board_topics);
  if (!ranges) {
    ADD_FAILURE() << "cannot read the end offsets: " << ranges.error().message;
    return {};
  }
  return *ranges;
}

}  // namespace

std::string at(std::string_view day, std::string_view local_time) {
  return std::string(day) + "T" + std::string(local_time) + "+07:00";
}

TestIds::TestIds() : run_(random_id().substr(0, 10)) {}

bool TestIds::owns(std::string_view id) const {
  for (const char* kind : {"tb-", "ti-", "tv-", "td-"}) {
    if (id.starts_with(std::string(kind) + run_ + "-")) return true;
  }
  return false;
}

Message checked_in(const std::string& visitor, const std::string& booth, const std::string& day,
                   std::string_view local_time, const std::string& device) {
  const auto time = at(day, local_time);
  auto event = expo::events::make_envelope("checked_in", time);
  event.payload["visitor_id"] = visitor;
  event.payload["booth_id"] = booth;
  event.payload["device_id"] = device;
  event.payload["day"] = day;
  event.payload["scanned_at"] = time;
  event.payload["received_at"] = time;
  event.payload["client_event_id"] = "ce-" + random_id();
  return {std::string(expo::events::topics::checkins), visitor, expo::events::encode(event)};
}

Message vote_cast(const Vote& v) {
  expo::events::votes::Cast cast{.vote_id = v.vote_id.empty() ? "vote-" + expo::events::new_event_id() : v.vote_id,
                                 .visitor_id = v.visitor,
                                 .innovation_id = v.innovation,
                                 .booth_id = v.booth,
                                 .region_id = v.region,
                                 .day = v.day,
                                 .device_id = v.device,
                                 .client_event_id = "ce-" + random_id(),
                                 .at = at(v.day, v.local_time)};
  return {std::string(expo::events::topics::votes), v.visitor, expo::events::encode(expo::events::votes::cast(cast))};
}

namespace {
Message void_of(const std::string& visitor, const std::string& device, const std::string& day,
                std::string_view local_time) {
  expo::events::votes::Voided v{.void_id = expo::events::new_event_id(),
                                .visitor_id = visitor,
                                .device_id = device,
                                .reason = "integration test",
                                .at = at(day, local_time)};
  // The voting service's key for a void (services/voting/app/operations.cpp).
  const auto key = visitor.empty() ? "device:" + device : "visitor:" + visitor;
  return {std::string(expo::events::topics::admin), key, expo::events::encode(expo::events::votes::voided(v))};
}
}  // namespace

Message visitor_void(const std::string& visitor, const std::string& day, std::string_view local_time) {
  return void_of(visitor, {}, day, local_time);
}

Message device_void(const std::string& device, const std::string& day, std::string_view local_time) {
  return void_of({}, device, day, local_time);
}

std::ostream& operator<<(std::ostream& out, const VoteCounts& c) {
  return out << "{votes " << c.votes << ", voided " << c.voided << "}";
}

std::ostream& operator<<(std::ostream& out, const VisitCounts& c) {
  return out << "{checkins " << c.checkins << ", unique " << c.unique_visitors << "}";
}

std::string Audit::sha256() const { return str(json, "sha256"); }

bool Audit::frozen() const {
  const auto* v = json.if_contains("frozen");
  return v && v->is_bool() && v->as_bool();
}

std::map<std::pair<std::string, std::int32_t>, std::int64_t> Audit::next_offsets() const {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> out;
  for (const auto& o : array_of(json, "offsets")) {
    out[{str(o.as_object(), "topic"), static_cast<std::int32_t>(num(o.as_object(), "partition"))}] =
        num(o.as_object(), "next_offset");
  }
  return out;
}

InnovationLines Audit::innovations(const TestIds& ids) const {
  InnovationLines out;
  for (const auto& v : array_of(json, "innovations")) {
    const auto& o = v.as_object();
    if (!ids.owns(str(o, "innovation_id"))) continue;
    out[{str(o, "innovation_id"), str(o, "day")}] = {num(o, "votes"), num(o, "voided")};
  }
  return out;
}

BoothLines Audit::booths(const TestIds& ids) const {
  BoothLines out;
  for (const auto& v : array_of(json, "booths")) {
    const auto& o = v.as_object();
    if (!ids.owns(str(o, "booth_id"))) continue;
    out[{str(o, "booth_id"), str(o, "day")}] = {num(o, "checkins"), num(o, "unique_visitors")};
  }
  return out;
}

VoteCounts Audit::innovation(const std::string& id, std::string_view period) const {
  for (const auto& v : array_of(json, "innovations")) {
    const auto& o = v.as_object();
    if (str(o, "innovation_id") == id && str(o, "day") == period) return {num(o, "votes"), num(o, "voided")};
  }
  return {};
}

std::string audit_diff(const Audit& was, const Audit& now) {
  auto lines_of = [](const Audit& a) {
    std::set<std::string> lines;
    std::istringstream text(str(a.json, "canonical_text"));
    for (std::string line; std::getline(text, line);) lines.insert(line);
    return lines;
  };
  const auto before = lines_of(was), after = lines_of(now);
  std::string out;
  for (const auto& line : before) {
    if (!after.contains(line)) out += "- " + line + "\n";
  }
  for (const auto& line : after) {
    if (!before.contains(line)) out += "+ " + line + "\n";
  }
  return out;
}

void Expected::checked_in(const std::string& visitor, const std::string& booth, const std::string& day) {
  checkins_.insert({booth, day, visitor});
}

void Expected::cast(const std::string& vote_id, const std::string& visitor, const std::string& innovation,
                    const std::string& day) {
  // The same vote twice changes nothing; a visitor's second vote for an innovation counts nowhere.
  if (!vote_ids_.insert(vote_id).second) return;
  if (!pairs_.insert({visitor, innovation}).second) return;
  ++votes_[{innovation, day}];
  ++votes_[{innovation, std::string(whole_event)}];
}

InnovationLines Expected::innovations() const {
  InnovationLines out;
  for (const auto& [line, votes] : votes_) out[line] = {votes, 0};
  return out;
}

BoothLines Expected::booths() const {
  BoothLines out;
  std::map<std::string, std::set<std::string>> visitors_of_booth;
  for (const auto& [booth, day, visitor] : checkins_) {
    // A day's check-ins are its distinct visitors; the whole event's check-ins the sum of the days,
    // its unique visitors the distinct visitors over all days.
    auto& d = out[{booth, day}];
    ++d.checkins;
    ++d.unique_visitors;
    ++out[{booth, std::string(whole_event)}].checkins;
    visitors_of_booth[booth].insert(visitor);
  }
  for (const auto& [booth, visitors] : visitors_of_booth) {
    out[{booth, std::string(whole_event)}].unique_visitors = static_cast<std::int64_t>(visitors.size());
  }
  return out;
}

std::map<std::pair<std::string, std::int32_t>, std::int64_t> log_ends(const std::string& brokers) {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> out;
  for (const auto& r : log_ranges(brokers)) out[{r.topic, r.partition}] = r.to;
  return out;
}

void LeaderboardTest::SetUp() {
  // required_env throws when the stack's variables are unset: the test fails, it never skips.
  brokers_ = expo::testing::required_env("EXPO_TEST_KAFKA_BROKERS");
  redis_port_ = std::stoi(expo::testing::required_env("EXPO_TEST_REDIS_PORT"));
  expo::testing::required_env("EXPO_TEST_RUN_DIR");
  producer_ = std::make_unique<expo::testing::TopicProducer>(brokers_);
  // Long enough for the transaction that wipes every key of the boards.
  redis_ = std::make_unique<expo::testing::RedisReader>(redis_port_, 30s);
}

void LeaderboardTest::TearDown() {
  if (service_ && service_->running()) {
    EXPECT_EQ(service_->stop(SIGTERM), 0) << service_->log_tail();
  }
}

void LeaderboardTest::start_service(std::string group) {
  group_ = group.empty() ? "lb-test-" + random_id() : std::move(group);
  http_.reset();
  service_ = std::make_unique<expo::testing::ServiceProcess>(
      "leaderboard", std::map<std::string, std::string>{{"ADMIN_TOKEN", admin_token},
                                                        {"EVENT_CLOCK_START", clock_start},
                                                        {"EXPO_LEADERBOARD_BOARDS_GROUP", group_}});
  ASSERT_TRUE(service_->wait_ready()) << service_->log_tail();
  http_ = std::make_unique<HttpClient>(service_->port());
  // The display is one state for every instance on this Redis: a test stopped between freezing and
  // unfreezing must not leave the next one looking at frozen boards.
  for (const char* path : {"/v1/admin/leaderboards/unfreeze", "/v1/admin/leaderboards/show-counts"}) {
    const auto r = expo::testing::retry_while_unavailable([&] { return admin("POST", path); });
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
  }
}

int LeaderboardTest::stop_service(int signal) {
  http_.reset();
  return service_->stop(signal);
}

::testing::AssertionResult LeaderboardTest::flushed() {
  if (producer_->flush(120s)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << producer_->failed() << " of " << producer_->sent()
                                       << " messages not acknowledged: " << producer_->first_error();
}

Audit LeaderboardTest::audit() {
  Audit a;
  const auto r = http_->get("/v1/leaderboards/audit");
  a.status = r.status;
  a.body = r.body;
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (!ec && v.is_object()) a.json = v.as_object();
  return a;
}

::testing::AssertionResult LeaderboardTest::caught_up(bool whole_log, std::chrono::milliseconds deadline) {
  const auto ranges = log_ranges(brokers_);
  if (ranges.empty()) return ::testing::AssertionFailure() << "no partitions of the board topics";
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (!service_->running()) {
      return ::testing::AssertionFailure() << "the service is no longer running\n" << service_->log_tail();
    }
    std::string missing;
    const auto a = audit();
    if (a.status != 200) {
      missing = "the audit answers " + std::to_string(a.status) + " " + a.body;
    } else {
      const auto covered = a.next_offsets();
      for (const auto& r : ranges) {
        const auto found = covered.find({r.topic, r.partition});
        const auto next = found == covered.end() ? 0 : found->second;
        if (r.to > r.from && next < r.to) {
          missing += " " + r.topic + ":" + std::to_string(r.partition) + " covered to " + std::to_string(next) +
                     " of " + std::to_string(r.to) + ";";
        }
      }
      if (missing.empty() && whole_log) {
        const auto lags = consumer_lags(*http_);
        for (const auto& r : ranges) {
          if (r.to == r.from) continue;
          const auto found = lags.find({r.topic, r.partition});
          if (found == lags.end()) {
            missing += " " + r.topic + ":" + std::to_string(r.partition) + " not read yet;";
          } else if (found->second != 0) {
            missing += " " + r.topic + ":" + std::to_string(r.partition) + " lag " + std::to_string(found->second) + ";";
          }
        }
      }
    }
    if (missing.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > until) {
      return ::testing::AssertionFailure() << "not caught up:" << missing << "\n" << service_->log_tail();
    }
    std::this_thread::sleep_for(50ms);
  }
}

::testing::AssertionResult LeaderboardTest::live_boards_applied_all(std::chrono::milliseconds deadline) {
  const auto ranges = log_ranges(brokers_);
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::string missing;
    const auto current = redis_->command({"GET", "{lb}:current"});
    if (current.str.empty()) {
      missing = "no live generation";
    } else {
      std::map<std::string, std::int64_t> applied;
      const auto fields = redis_->command({"HGETALL", "{lb}:g" + current.str + ":applied"});
      for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
        applied[fields.elements[i].str] = std::stoll(fields.elements[i + 1].str);
      }
      for (const auto& r : ranges) {
        const auto field = r.topic + ":" + std::to_string(r.partition);
        const auto found = applied.find(field);
        if (r.to > r.from && (found == applied.end() || found->second + 1 < r.to)) missing += " " + field;
      }
    }
    if (missing.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > until) {
      return ::testing::AssertionFailure() << "the live boards have not applied:" << missing;
    }
    std::this_thread::sleep_for(50ms);
  }
}

::testing::AssertionResult LeaderboardTest::only_the_live_generation_has_keys(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::set<std::string> found;
    for (const auto& key : redis_->keys("{lb}:g*")) {
      const auto end = key.find(':', 5);
      if (end != std::string::npos) found.insert(key.substr(5, end - 5));
    }
    const auto live = "g" + redis_->command({"GET", "{lb}:current"}).str;
    if (found == std::set<std::string>{live}) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() > until) {
      auto failure = ::testing::AssertionFailure() << "live generation " << live << ", generations with keys:";
      for (const auto& g : found) failure << " " << g;
      return failure;
    }
    std::this_thread::sleep_for(100ms);
  }
}

Recount LeaderboardTest::recount(const Audit& a) {
  const auto path = expo::testing::test_log_path("leaderboard-audit");
  {
    std::ofstream out(path, std::ios::binary);
    out << a.body;
  }
  expo::testing::ChildProcess child(EXPO_RECOUNT_BINARY, {"--brokers", brokers_, "--audit", path}, {},
                                    expo::testing::test_log_path("expo-recount"));
  Recount r;
  r.status = child.wait(120s);
  r.output = child.log_tail(1 << 20);
  return r;
}

void LeaderboardTest::expect_same_or_recounted(const Audit& before,
                                               const std::map<std::string, std::string>& boards_before,
                                               const Audit& after) {
  if (after.next_offsets() == before.next_offsets()) {
    EXPECT_EQ(after.sha256(), before.sha256()) << audit_diff(before, after);
    EXPECT_EQ(boards(), boards_before);
    return;
  }
  std::cout << "[ leaderboard ] NOTE: another writer added messages to the topics during this test; the tally "
               "is compared with expo-recount's instead of the one before\n";
  const auto r = recount(after);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nmatch\n"), std::string::npos) << r.output;
}

std::map<std::string, std::string> LeaderboardTest::boards() {
  std::map<std::string, std::string> out;
  for (const char* board : {"innovations", "regions", "booths"}) {
    std::vector<std::string> queries{""};
    for (const auto& day : event_days) queries.push_back("?day=" + day);
    for (const auto& query : queries) {
      const auto r = http_->get(std::string("/v1/leaderboards/") + board + query);
      EXPECT_EQ(r.status, 200) << board << query << ": " << r.body;
      out[board + query] = r.body;
    }
  }
  return out;
}

boost::json::object LeaderboardTest::rebuild_progress_when_ended(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  boost::json::object progress;
  do {
    std::this_thread::sleep_for(50ms);
    progress = expo::testing::json_of(admin("GET", "/v1/admin/leaderboards/rebuild"));
  } while (progress.at("state").as_string() == "running" && std::chrono::steady_clock::now() < until);
  return progress;
}

HttpResult LeaderboardTest::admin(const std::string& method, const std::string& path, bool with_token) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (with_token) headers.emplace_back("Authorization", "Bearer " + admin_token);
  return http_->request(method, path, {}, headers);
}

}  // namespace lb_it

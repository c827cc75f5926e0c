// PRODUCT.md (checkin) and issue 4, against the real Kafka and Redis: once per visitor, booth and
// event day; resends; revocation everywhere within 5 s; forged badges; offline batches; Kafka down.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <fstream>
#include <thread>

#include "expo/auth/badge.hpp"
#include "expo/auth/ids.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/fixtures.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/secrets.hpp"
#include "expo/testing/service_process.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;
using expo::testing::HttpResult;
using expo::testing::ServiceProcess;
using expo::testing::error_code;
using expo::testing::random_id;

namespace {

// Badges minted with the suite's test keys, as registration would: the token alone proves the visitor.
const auto badge_for = expo::testing::test_badge;
const auto parse = expo::testing::json_of;

const std::string admin_token = "checkin-test-admin-token-012345678";
const std::string json = "application/json";

// checkins.v1 events of the given visitors, read from the beginning by a fresh group until `expected`
// arrived (and a moment longer, so a duplicate would show).
std::vector<boost::json::object> checkin_events(const std::set<std::string>& visitors, std::size_t expected) {
  return expo::testing::topic_events("checkins.v1", visitors, expected);
}

class Checkin : public ::testing::Test {
 protected:
  // The event clock a moment after midnight between day 1 and day 2, so scans on either side of
  // the boundary are both "now or earlier".
  static constexpr const char* clock_start = "2023-11-24T00:00:05+07:00";

  std::unique_ptr<ServiceProcess> start_checkin(std::map<std::string, std::string> env = {}) {
    env.try_emplace("ADMIN_TOKEN", admin_token);
    env.try_emplace("EVENT_CLOCK_START", clock_start);
    env.try_emplace("EXPO_KAFKA_DELIVERY_TIMEOUT_MS", "2000");
    env.try_emplace("EXPO_CHECKIN_SCANS_PER_SECOND", "10000");
    env.try_emplace("EXPO_CHECKIN_SCAN_BURST", "10000");
    auto service = std::make_unique<ServiceProcess>("checkin", env);
    EXPECT_TRUE(service->wait_ready()) << service->log_tail();
    return service;
  }

  void SetUp() override {
    service_ = start_checkin();
    client_ = std::make_unique<HttpClient>(service_->port());
    device_key_ = register_device("3579");
  }
  void TearDown() override {
    if (service_ && service_->running()) {
      EXPECT_EQ(service_->stop(SIGTERM), 0) << service_->log_tail();
    }
  }

  std::string register_device(const std::string& booth) {
    const auto r = client_->request("POST", "/v1/admin/devices", R"({"booth_id":")" + booth + R"(","label":"test tablet"})",
                                    {{"Content-Type", json}, {"Authorization", "Bearer " + admin_token}});
    EXPECT_EQ(r.status, 201) << r.body;
    device_id_ = std::string(parse(r).at("device_id").as_string());
    return std::string(parse(r).at("device_key").as_string());
  }

  HttpResult scan(HttpClient& client, const std::string& key, const std::string& badge, const std::string& client_event_id,
                  const std::string& scanned_at = {}) {
    boost::json::object body;
    body["badge"] = badge;
    body["client_event_id"] = client_event_id;
    if (!scanned_at.empty()) body["scanned_at"] = scanned_at;
    return client.request("POST", "/v1/checkins", boost::json::serialize(body),
                          {{"Content-Type", json}, {"Authorization", "Bearer " + key}});
  }
  HttpResult scan(const std::string& badge, const std::string& client_event_id, const std::string& scanned_at = {}) {
    return scan(*client_, device_key_, badge, client_event_id, scanned_at);
  }
  std::int64_t today_count() {
    const auto r = client_->request("GET", "/v1/devices/me", {}, {{"Authorization", "Bearer " + device_key_}});
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r).at("today_count").as_int64();
  }

  std::unique_ptr<ServiceProcess> service_;
  std::unique_ptr<HttpClient> client_;
  std::string device_key_;
  std::string device_id_;
};

TEST_F(Checkin, OncePerVisitorBoothAndEventDayWithTheBoundaryAtMidnightWib) {
  const auto visitor = expo::auth::new_visitor_id();
  const auto badge = badge_for(visitor);
  const auto first = scan(badge, "ce-" + random_id(), "2023-11-23T23:59:58+07:00");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(parse(first).at("result").as_string(), "checked_in");
  EXPECT_EQ(parse(first).at("booth_id").as_string(), "3579");
  EXPECT_EQ(parse(first).at("at").as_string(), "2023-11-23T23:59:58.000+07:00");

  const auto again = scan(badge, "ce-" + random_id(), "2023-11-23T23:59:59+07:00");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("result").as_string(), "already_checked_in");
  EXPECT_EQ(parse(again).at("first_at").as_string(), "2023-11-23T23:59:58.000+07:00");

  // One second after midnight WIB is the next event day: a new check-in.
  const auto next_day = scan(badge, "ce-" + random_id(), "2023-11-24T00:00:01+07:00");
  ASSERT_EQ(next_day.status, 201) << next_day.body;
  EXPECT_EQ(checkin_events({visitor}, 2).size(), 2u);
}

TEST_F(Checkin, AResendOfAClientEventIdReturnsTheOriginalAnswerAndWritesNothing) {
  const auto visitor = expo::auth::new_visitor_id();
  const auto badge = badge_for(visitor);
  const std::string ce = "ce-" + random_id();
  const auto first = scan(badge, ce);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto count = today_count();
  for (int i = 0; i < 3; ++i) {
    const auto resent = scan(badge, ce);
    EXPECT_EQ(resent.status, 201);
    EXPECT_EQ(resent.body, first.body);
  }
  EXPECT_EQ(today_count(), count);
  EXPECT_EQ(checkin_events({visitor}, 1).size(), 1u);
}

TEST_F(Checkin, ARevokedDeviceIsRefusedByEveryInstanceWithinFiveSeconds) {
  auto other = start_checkin();
  HttpClient other_client(other->port());
  const auto badge = badge_for(expo::auth::new_visitor_id());
  // The second instance knows the tablet from admin.v1.
  HttpResult before;
  for (int i = 0; i < 50 && before.status != 201; ++i) {
    before = scan(other_client, device_key_, badge, "ce-" + random_id());
    if (before.status != 201) std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(before.status, 201) << before.body;

  const auto revoked = client_->request("DELETE", "/v1/admin/devices/" + device_id_, {},
                                        {{"Authorization", "Bearer " + admin_token}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const auto start = std::chrono::steady_clock::now();
  HttpResult refused;
  while (std::chrono::steady_clock::now() - start < 5s) {
    refused = scan(other_client, device_key_, badge, "ce-" + random_id());
    if (refused.status == 403) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(refused.status, 403) << "the other instance still accepts the revoked device";
  EXPECT_EQ(error_code(refused), "device_revoked");
  std::cout << "revocation reached the other instance in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
            << " ms\n";
  EXPECT_EQ(scan(badge, "ce-" + random_id()).status, 403);
  EXPECT_EQ(other->stop(SIGTERM), 0);
}

TEST_F(Checkin, ForgedBadgesAndUnknownDevicesAreRefused) {
  auto forged = badge_for(expo::auth::new_visitor_id());
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  const auto r = scan(forged, "ce-" + random_id());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "invalid_badge");
  EXPECT_EQ(scan(*client_, "dk_not-a-real-key", badge_for(expo::auth::new_visitor_id()), "ce-1").status, 401);
  const auto unknown_code = scan("ABCD2345", "ce-" + random_id());
  EXPECT_EQ(unknown_code.status, 404);
  EXPECT_EQ(error_code(unknown_code), "unknown_visitor");
  const auto outside = scan(badge_for(expo::auth::new_visitor_id()), "ce-" + random_id(), "2023-11-20T10:00:00+07:00");
  EXPECT_EQ(outside.status, 422);
  EXPECT_EQ(error_code(outside), "outside_event_days");
  // The booth is the device's: a body naming another booth is refused.
  const auto wrong = client_->request(
      "POST", "/v1/checkins",
      R"({"badge":")" + badge_for(expo::auth::new_visitor_id()) + R"(","client_event_id":"ce-x","booth_id":"3501"})",
      {{"Content-Type", json}, {"Authorization", "Bearer " + device_key_}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(error_code(wrong), "wrong_booth");
}

TEST_F(Checkin, ABatchOf500WithDuplicatesGetsTheRightAnswersAndEvents) {
  // 300 visitors; 200 items repeat one of them (another client_event_id) or resend an item.
  std::vector<std::string> visitors;
  for (int i = 0; i < 300; ++i) visitors.push_back(expo::auth::new_visitor_id());
  boost::json::array items;
  std::vector<int> expected;
  const auto item = [&](const std::string& visitor, const std::string& ce) {
    boost::json::object o;
    o["badge"] = badge_for(visitor);
    o["client_event_id"] = ce;
    o["scanned_at"] = "2023-11-24T00:00:02+07:00";
    items.push_back(o);
  };
  std::vector<std::string> ces;
  for (int i = 0; i < 300; ++i) {
    ces.push_back("b-" + random_id());
    item(visitors[i], ces.back());
    expected.push_back(201);
  }
  for (int i = 0; i < 100; ++i) {  // the same visitor again, a new scan: already checked in
    item(visitors[i], "b-" + random_id());
    expected.push_back(200);
  }
  for (int i = 100; i < 200; ++i) {  // a resend of an earlier item: its original answer
    item(visitors[i], ces[i]);
    expected.push_back(201);
  }
  ASSERT_EQ(items.size(), 500u);
  boost::json::object body;
  body["items"] = items;
  const auto r = client_->request("POST", "/v1/checkins/batch", boost::json::serialize(body),
                                  {{"Content-Type", json}, {"Authorization", "Bearer " + device_key_}}, 60s);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  const auto results = parse(r).at("results").as_array();
  ASSERT_EQ(results.size(), 500u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].at("status").as_int64(), expected[i]) << "item " << i << ": " << boost::json::serialize(results[i]);
  }
  // A second batch with the same items changes nothing.
  const auto again = client_->request("POST", "/v1/checkins/batch", boost::json::serialize(body),
                                      {{"Content-Type", json}, {"Authorization", "Bearer " + device_key_}}, 60s);
  ASSERT_EQ(again.status, 200);
  const std::set<std::string> wanted(visitors.begin(), visitors.end());
  const auto events = checkin_events(wanted, wanted.size());
  EXPECT_EQ(events.size(), 300u) << "exactly one checkins.v1 event per visitor";
  std::set<std::string> seen;
  for (const auto& e : events) {
    seen.insert(std::string(e.at("payload").at("visitor_id").as_string()));
    EXPECT_EQ(e.at("payload").at("scanned_at").as_string(), "2023-11-24T00:00:02.000+07:00");
  }
  EXPECT_EQ(seen.size(), 300u);
}

TEST_F(Checkin, KafkaStoppedGives503AndNoCountChanges) {
  const auto count = today_count();
  const auto visitor = expo::auth::new_visitor_id();
  ASSERT_EQ(expo::testing::stack("stop", "kafka"), 0);
  const auto r = scan(badge_for(visitor), "ce-" + random_id());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_EQ(today_count(), count);
  ASSERT_EQ(expo::testing::stack("start", "kafka"), 0);
  ASSERT_TRUE(service_->wait_ready(60s)) << service_->log_tail();
  // The refused scan left nothing behind: the same visitor checks in normally now.
  EXPECT_EQ(expo::testing::retry_while_unavailable([&] { return scan(badge_for(visitor), "ce-" + random_id()); }).status,
            201);
  EXPECT_EQ(checkin_events({visitor}, 1).size(), 1u);
}

TEST_F(Checkin, HeartbeatsShowTheTabletOnlineInTheFleet) {
  const auto beat = client_->request("POST", "/v1/devices/heartbeat", R"({"app_version":"booth-test","queue_depth":3})",
                                     {{"Content-Type", json}, {"Authorization", "Bearer " + device_key_}});
  EXPECT_EQ(beat.status, 204) << beat.body;
  const auto list = client_->request("GET", "/v1/admin/devices", {}, {{"Authorization", "Bearer " + admin_token}});
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  const auto fleet = parse(list);
  for (const auto& d : fleet.at("devices").as_array()) {
    if (d.at("device_id").as_string() != device_id_) continue;
    found = true;
    EXPECT_TRUE(d.at("online").as_bool());
    EXPECT_EQ(d.at("app_version").as_string(), "booth-test");
    EXPECT_EQ(d.at("queue_depth").as_string(), "3");
  }
  EXPECT_TRUE(found);
  const auto metrics = client_->get("/metrics");
  EXPECT_NE(metrics.body.find("expo_tablets_online 1"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(expo_tablet_queue_depth{booth_id="3579"} 3)"), std::string::npos);
}

TEST_F(Checkin, ShortCodesAndFirstNamesComeFromRegistration) {
  ServiceProcess registration("registration", {{"EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE", "1000"}});
  ASSERT_TRUE(registration.wait_ready()) << registration.log_tail();
  HttpClient reg(registration.port());
  const std::string name = "Siti Uji " + random_id().substr(0, 6);
  {
    std::ofstream(expo::testing::required_env("EXPO_TEST_RUN_DIR") + "/personal-data-used.txt", std::ios::app) << name << "\n";
  }
  const auto created = reg.request("POST", "/v1/visitors",
                                   R"({"name":")" + name + R"(","visitor_type":"student","origin_region":"3507","consent":true})",
                                   {{"Content-Type", json}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string code(parse(created).at("code").as_string());
  HttpResult r;
  for (int i = 0; i < 100; ++i) {  // the projection of visitors.v1 reaches check-in
    r = scan(code.substr(0, 4) + " " + code.substr(4), "ce-" + random_id());
    if (r.status != 404) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(r.status, 201) << r.body;
  // The name's data key travels on its own topic and may arrive a moment after the code: a repeat
  // scan (200, already checked in) greets by name once it has.
  for (int i = 0; i < 50 && !parse(r).contains("first_name"); ++i) {
    std::this_thread::sleep_for(100ms);
    r = scan(code, "ce-" + random_id());
  }
  ASSERT_TRUE(parse(r).contains("first_name")) << r.body;
  EXPECT_EQ(parse(r).at("first_name").as_string(), "Siti");
  EXPECT_EQ(registration.stop(SIGTERM), 0);
}

}  // namespace

// PRODUCT.md (registration) and issue 3, against the real Kafka and Redis: one event per sign-up,
// idempotent retries, duplicate phones in another format, field errors, Kafka down, erasure that
// survives a rebuild from the topics.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "expo/auth/lookup_hash.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/fixtures.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/redis_reader.hpp"
#include "expo/testing/secrets.hpp"
#include "expo/testing/service_process.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;
using expo::testing::HttpResult;
using expo::testing::RedisReader;
using expo::testing::ServiceProcess;

namespace {

const std::string admin_token = "registration-test-admin-token-0123";

std::string unique_digits(int n) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng() % 10);
  return out;
}

// Every name, phone and e-mail a test sends is listed here, so tests/check-personal-data.sh can
// prove none of them reached a log.
void remember_personal_data(const std::string& value) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ofstream(expo::testing::required_env("EXPO_TEST_RUN_DIR") + "/personal-data-used.txt", std::ios::app)
      << value << "\n";
}

struct Person {
  std::string name = "Uji Pengunjung " + unique_digits(6);
  std::string phone_local = "0812" + unique_digits(8);  // as typed: 0812xxxxxxxx
  std::string email = "uji" + unique_digits(6) + "@contoh.id";
  Person() {
    remember_personal_data(name);
    remember_personal_data(phone_local);
    remember_personal_data(email);
  }
  std::string phone_e164() const { return "+62" + phone_local.substr(1); }
  std::string body(const std::string& phone) const {
    boost::json::object b;
    b["name"] = name;
    b["phone"] = phone;
    b["email"] = email;
    b["visitor_type"] = "public";
    b["origin_region"] = "3579";
    b["consent"] = true;
    return boost::json::serialize(b);
  }
  std::string body() const { return body(phone_local); }
};

HttpResult post_visitor(HttpClient& client, const std::string& body, const std::string& idempotency_key = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  return client.request("POST", "/v1/visitors", body, headers, 10s);
}

using expo::testing::error_code;

// The records of one key on a topic, read from the beginning by a fresh consumer group until
// `expected` arrived (and a moment longer, so a surplus would show).
std::vector<std::string> records_for(const std::string& topic, const std::string& key, std::size_t expected) {
  std::vector<std::string> found;
  for (auto& record : expo::testing::topic_records(topic, {key}, expected)) {
    found.push_back(record.tombstone ? std::string("<tombstone>") : std::move(record.value));
  }
  return found;
}

class Registration : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> env = {}) {
    env.try_emplace("ADMIN_TOKEN", admin_token);
    env.try_emplace("EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE", "1000000");
    env.try_emplace("EXPO_KAFKA_DELIVERY_TIMEOUT_MS", "2000");
    service_ = std::make_unique<ServiceProcess>("registration", env);
    ASSERT_TRUE(service_->wait_ready()) << service_->log_tail();
    client_ = std::make_unique<HttpClient>(service_->port());
  }
  void TearDown() override {
    if (service_ && service_->running()) {
      EXPECT_EQ(service_->stop(SIGTERM), 0) << service_->log_tail();
    }
  }
  HttpResult admin(const std::string& method, const std::string& target) {
    return client_->request(method, target, {}, {{"Authorization", "Bearer " + admin_token}});
  }

  std::unique_ptr<ServiceProcess> service_;
  std::unique_ptr<HttpClient> client_;
  RedisReader redis_{std::stoi(expo::testing::required_env("EXPO_TEST_REDIS_PORT"))};
};

TEST_F(Registration, ASignUpAppearsInVisitorsV1OnceWithoutPlainPersonalData) {
  start();
  const Person person;
  const auto r = post_visitor(*client_, person.body());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto body = boost::json::parse(r.body).as_object();
  const std::string visitor_id(body.at("visitor_id").as_string());
  EXPECT_EQ(body.at("code").as_string().size(), 8u);
  EXPECT_FALSE(body.at("badge_token").as_string().empty());

  const auto records = records_for("visitors.v1", visitor_id, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].find("\"visitor_registered\""), std::string::npos);
  for (const auto& secret : {person.name, person.phone_local, person.phone_e164(), person.email}) {
    EXPECT_EQ(records[0].find(secret), std::string::npos) << "personal data in plain text in visitors.v1";
  }
  EXPECT_EQ(records_for("visitor-keys.v1", visitor_id, 1).size(), 1u);
  const auto metrics = client_->get("/metrics");
  EXPECT_NE(metrics.body.find(R"(expo_registrations_total{outcome="created"} 1)"), std::string::npos);
}

TEST_F(Registration, TheRequestIdTravelsIntoTheEventsHeaders) {
  start();
  // The client's (or the TLS front's) id is kept and copied into both records' x-request-id header.
  const std::string request_id = "rq-signup-" + expo::testing::random_id();
  const auto r = client_->request("POST", "/v1/visitors", Person{}.body(),
                                  {{"Content-Type", "application/json"}, {"X-Request-Id", request_id}}, 10s);
  ASSERT_EQ(r.status, 201) << r.body << r.error;
  EXPECT_EQ(r.header("x-request-id"), request_id);
  const std::string visitor_id(boost::json::parse(r.body).at("visitor_id").as_string());
  for (const auto* topic : {"visitors.v1", "visitor-keys.v1"}) {
    const auto records = expo::testing::topic_records(topic, {visitor_id}, 1);
    ASSERT_EQ(records.size(), 1u) << topic;
    EXPECT_EQ(records[0].request_id, request_id) << topic;
  }

  // Without one the service makes its own, and the event carries that.
  const auto unnamed = post_visitor(*client_, Person{}.body());
  ASSERT_EQ(unnamed.status, 201) << unnamed.body;
  const auto generated = unnamed.header("x-request-id");
  EXPECT_FALSE(generated.empty());
  const std::string other_id(boost::json::parse(unnamed.body).at("visitor_id").as_string());
  const auto records = expo::testing::topic_records("visitors.v1", {other_id}, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].request_id, generated);
}

TEST_F(Registration, AnIdempotencyKeyRetryReturnsTheIdenticalBody) {
  start();
  const Person person;
  const std::string key = "retry-" + unique_digits(10);
  const auto first = post_visitor(*client_, person.body(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto second = post_visitor(*client_, person.body(), key);
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  const auto visitor_id = std::string(boost::json::parse(first.body).at("visitor_id").as_string());
  EXPECT_EQ(records_for("visitors.v1", visitor_id, 1).size(), 1u) << "a retry must not register twice";
  // The same key with another body is refused rather than answered with the first visitor's token.
  const Person other;
  const auto reused = post_visitor(*client_, other.body(), key);
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(error_code(reused), "idempotency_key_reused");
}

TEST_F(Registration, TheSamePhoneInAnotherFormatIs409WithoutAToken) {
  start();
  const Person person;
  ASSERT_EQ(post_visitor(*client_, person.body("0" + person.phone_e164().substr(3))).status, 201);
  for (const auto& variant : {person.phone_e164(), "+62 " + person.phone_local.substr(1, 3) + "-" +
                                                       person.phone_local.substr(4, 4) + "-" + person.phone_local.substr(8),
                              "62" + person.phone_local.substr(1)}) {
    const auto again = post_visitor(*client_, person.body(variant));
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(error_code(again), "already_registered");
    EXPECT_EQ(again.body.find("badge_token"), std::string::npos);
    EXPECT_EQ(again.body.find("visitor_id"), std::string::npos);
  }
}

TEST_F(Registration, EachInvalidFieldIs422NamingIt) {
  start();
  const Person person;
  struct Case {
    std::string field;
    boost::json::value value;
  };
  const std::vector<Case> cases{{"name", ""},           {"name", 42},
                                {"phone", "12ab"},      {"email", "no-at-sign"},
                                {"visitor_type", "alien"}, {"origin_region", "9999"},
                                {"consent", false}};
  for (const auto& c : cases) {
    auto body = boost::json::parse(person.body()).as_object();
    body[c.field] = c.value;
    const auto r = post_visitor(*client_, boost::json::serialize(body));
    EXPECT_EQ(r.status, 422) << c.field << ": " << r.body;
    const auto error = boost::json::parse(r.body).at("error");
    EXPECT_EQ(error.at("field").as_string(), c.field) << r.body;
    EXPECT_EQ(r.body.find(person.name), std::string::npos) << "an error must not echo personal data";
  }
  auto missing = boost::json::parse(person.body()).as_object();
  missing.erase("consent");
  const auto r = post_visitor(*client_, boost::json::serialize(missing));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "consent_required");
}

TEST_F(Registration, KafkaDownMeans503AndLeavesNoTraceInRedis) {
  start();
  const Person person;
  const std::string key = "kafka-down-" + unique_digits(10);
  const auto codes_before = redis_.keys("{reg}:code:*").size();
  {
    ASSERT_EQ(expo::testing::stack("stop", "kafka"), 0);
    const auto r = post_visitor(*client_, person.body(), key);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_FALSE(r.header("retry-after").empty());
    EXPECT_EQ(r.body.find("badge_token"), std::string::npos);
    ASSERT_EQ(expo::testing::stack("start", "kafka"), 0);
  }
  const auto phone_hash =
      expo::auth::lookup_hash(*expo::crypto::base64url_decode(expo::testing::secrets::lookup_pepper), "phone",
                              person.phone_e164());
  EXPECT_TRUE(redis_.keys("{reg}:phone:" + phone_hash).empty()) << "the phone reservation was left behind";
  EXPECT_TRUE(redis_.keys("{reg}:idem:" + expo::crypto::hex_encode(expo::crypto::sha256(key))).empty());
  EXPECT_EQ(redis_.keys("{reg}:code:*").size(), codes_before) << "a short code was left behind";

  // Nothing blocks the same visitor from registering once Kafka is back (never a 409 for them).
  ASSERT_TRUE(service_->wait_ready(60s)) << service_->log_tail();
  const auto r = expo::testing::retry_while_unavailable([&] { return post_visitor(*client_, person.body(), key); });
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(Registration, ErasureLeavesNoPersonalDataInRedisOrInARebuild) {
  start();
  const Person erased_person, kept_person;
  const auto erased = post_visitor(*client_, erased_person.body());
  const auto kept = post_visitor(*client_, kept_person.body());
  ASSERT_EQ(erased.status, 201);
  ASSERT_EQ(kept.status, 201);
  const auto erased_id = std::string(boost::json::parse(erased.body).at("visitor_id").as_string());
  const auto erased_token = std::string(boost::json::parse(erased.body).at("badge_token").as_string());
  const auto kept_id = std::string(boost::json::parse(kept.body).at("visitor_id").as_string());

  const auto held = admin("GET", "/v1/admin/visitors/" + erased_id);
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_EQ(boost::json::parse(held.body).at("personal_data").at("name").as_string(), erased_person.name);

  const auto erase = admin("DELETE", "/v1/admin/visitors/" + erased_id);
  ASSERT_EQ(erase.status, 200) << erase.body;
  const auto after = admin("GET", "/v1/admin/visitors/" + erased_id);
  ASSERT_EQ(after.status, 200);
  EXPECT_TRUE(boost::json::parse(after.body).at("personal_data").is_null()) << after.body;
  EXPECT_TRUE(boost::json::parse(after.body).at("erased").as_bool());
  EXPECT_EQ(client_->get("/v1/visitors/" + erased_id + "/badge?token=" + erased_token).status, 404);
  EXPECT_TRUE(redis_.keys("{reg}:datakey:" + erased_id).empty());
  const auto key_records = records_for("visitor-keys.v1", erased_id, 2);  // the key, then its tombstone
  ASSERT_FALSE(key_records.empty()) << "the visitor's data key never reached visitor-keys.v1";
  EXPECT_EQ(key_records.back(), "<tombstone>");

  // Rebuild: Redis loses everything of registration; a new projection replays the topics.
  EXPECT_EQ(service_->stop(SIGTERM), 0);
  redis_.delete_matching("{reg}:*");
  start({{"EXPO_REGISTRATION_CONSUMER_GROUP", "registration-rebuild-" + unique_digits(8)}});
  HttpResult rebuilt_kept;
  for (int i = 0; i < 100; ++i) {
    rebuilt_kept = admin("GET", "/v1/admin/visitors/" + kept_id);
    if (rebuilt_kept.status == 200) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(rebuilt_kept.status, 200) << "the rebuild did not restore the kept visitor";
  EXPECT_EQ(boost::json::parse(rebuilt_kept.body).at("personal_data").at("name").as_string(), kept_person.name);
  const auto rebuilt_erased = admin("GET", "/v1/admin/visitors/" + erased_id);
  ASSERT_EQ(rebuilt_erased.status, 200) << rebuilt_erased.body;
  EXPECT_TRUE(boost::json::parse(rebuilt_erased.body).at("personal_data").is_null()) << rebuilt_erased.body;
  EXPECT_EQ(rebuilt_erased.body.find(erased_person.name), std::string::npos);
  EXPECT_TRUE(redis_.keys("{reg}:datakey:" + erased_id).empty());
}

TEST_F(Registration, TheBadgeNeedsItsOwnToken) {
  start();
  const Person person;
  const auto r = post_visitor(*client_, person.body());
  ASSERT_EQ(r.status, 201);
  const auto body = boost::json::parse(r.body);
  const std::string id(body.at("visitor_id").as_string());
  std::string token(body.at("badge_token").as_string());
  const auto badge = client_->get("/v1/visitors/" + id + "/badge?token=" + token);
  EXPECT_EQ(badge.status, 200);
  EXPECT_NE(badge.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(badge.body.find("<svg"), std::string::npos);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  const auto forged = client_->get("/v1/visitors/" + id + "/badge?token=" + token);
  EXPECT_EQ(forged.status, 404);
  EXPECT_EQ(forged.body.find(person.name), std::string::npos);
}

TEST_F(Registration, SignUpsPerAddressAreRateLimited) {
  // A pepper of its own keeps this test's counter apart from the other tests' sign-ups.
  start({{"EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE", "3"},
         {"EXPO_PRIVACY_LOOKUP_PEPPER", expo::crypto::base64url_encode(unique_digits(40))}});
  // The limit counts per clock minute: start early in one so all four requests fall inside it.
  while (std::chrono::system_clock::now().time_since_epoch() % 60s > 45s) std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post_visitor(*client_, Person().body()).status, 201);
  const auto refused = post_visitor(*client_, Person().body());
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(error_code(refused), "rate_limited");
  EXPECT_FALSE(refused.header("retry-after").empty());
}

}  // namespace

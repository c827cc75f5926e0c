// Issue 7's monitoring against the real thing: the four service binaries on the test stack's Kafka and
// Redis, and a real Prometheus (Debian's) on a port and data folder of its own, configured from
// deploy/prometheus/prometheus.yml with a 1 s scrape interval and the real rule files. After a sign-up,
// a check-in and a vote through HTTP: all four targets are up, the key series of docs/metrics.md have
// samples, every recording and alert rule and every dashboard panel's expression evaluates without
// error, and a SIGKILLed service's target is down within one scrape interval (plus slack).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "../../unit/monitoring/dashboards.hpp"
#include "expo/testing/child_process.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/fixtures.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/service_process.hpp"

#ifndef EXPO_PROMETHEUS_DIR
#error "EXPO_PROMETHEUS_DIR must name deploy/prometheus"
#endif
#ifndef EXPO_PROMETHEUS_BINARY
#error "EXPO_PROMETHEUS_BINARY must name the prometheus executable"
#endif

using namespace std::chrono_literals;
namespace json = boost::json;
using expo::testing::ChildProcess;
using expo::testing::HttpClient;
using expo::testing::HttpResult;
using expo::testing::json_of;
using expo::testing::random_id;
using expo::testing::ServiceProcess;

namespace {

const std::string admin_token = "monitoring-test-admin-token-0123456789";
// Day 1 of the 2023 event, mid-morning WIB: open, so expo_event_open is 1 and check-ins are accepted.
const std::string clock_start = "2023-11-23T10:00:00+07:00";
const std::string booth = "3579";  // Kota Batu
const std::vector<std::string> services{"registration", "checkin", "voting", "leaderboard"};
constexpr auto scrape_interval = 1s;

std::string url_encode(const std::string& s) {
  std::ostringstream out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out << c;
    } else {
      out << '%' << std::uppercase << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(c)
          << std::nouppercase << std::dec;
    }
  }
  return out.str();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// deploy/prometheus/prometheus.yml made into this test's: 1 s scrapes and evaluations, each job's
// target on its service's port, the rule files by absolute path (the real ones, not copies).
std::string test_config(const std::map<std::string, std::uint16_t>& ports) {
  const std::filesystem::path dir = EXPO_PROMETHEUS_DIR;
  std::istringstream in(read_file(dir / "prometheus.yml"));
  std::ostringstream out;
  std::string line, job;
  const std::regex interval(R"(^(\s*)(scrape_interval|evaluation_interval):.*$)");
  const std::regex timeout(R"(^(\s*)scrape_timeout:.*$)");
  const std::regex rule_file(R"(^(\s*-\s*)(rules/[A-Za-z0-9_.-]+\.yml)\s*$)");
  const std::regex job_name(R"(^\s*-\s*job_name:\s*['"]?([a-z]+)['"]?\s*$)");
  const std::regex target(R"(127\.0\.0\.1:[0-9]+)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, interval)) {
      line = m[1].str() + m[2].str() + ": 1s";
    } else if (std::regex_match(line, m, timeout)) {
      line = m[1].str() + "scrape_timeout: 900ms";
    } else if (std::regex_match(line, m, rule_file)) {
      line = m[1].str() + (dir / m[2].str()).string();
    } else if (std::regex_match(line, m, job_name)) {
      job = m[1].str();
    } else if (line.find("targets:") != std::string::npos && ports.contains(job)) {
      line = std::regex_replace(line, target, "127.0.0.1:" + std::to_string(ports.at(job)));
    }
    out << line << '\n';
  }
  return out.str();
}

// The answer of a Prometheus API call: HTTP status, and the parsed body (null when not JSON).
struct ApiAnswer {
  int status = 0;
  json::value body;
  std::string raw;
  bool success() const {
    return status == 200 && body.is_object() && body.as_object().contains("status") &&
           body.at("status").as_string() == "success";
  }
};

class Prometheus {
 public:
  explicit Prometheus(const std::map<std::string, std::uint16_t>& ports) : port_(expo::testing::free_port()) {
    std::string dir_template = expo::testing::required_env("EXPO_TEST_RUN_DIR") + "/monitoring-prometheus-XXXXXX";
    if (!::mkdtemp(dir_template.data())) throw std::runtime_error("mkdtemp failed for " + dir_template);
    dir_ = dir_template;
    std::ofstream(dir_ / "prometheus.yml") << test_config(ports);
    process_ = std::make_unique<ChildProcess>(
        EXPO_PROMETHEUS_BINARY,
        std::vector<std::string>{"--config.file=" + (dir_ / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir_ / "data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        std::map<std::string, std::string>{}, (dir_ / "prometheus.log").string());
    client_ = std::make_unique<HttpClient>(port_);
  }
  ~Prometheus() {
    if (process_ && process_->running()) process_->stop(SIGTERM, 10s);
    std::error_code ec;
    std::filesystem::remove_all(dir_ / "data", ec);  // the log and config stay for a post-mortem
  }

  bool wait_ready(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (!process_->running()) return false;
      if (client_->request("GET", "/-/ready", {}, {}, 1000ms).status == 200) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  ApiAnswer get(const std::string& target) {
    ApiAnswer a;
    const auto r = client_->request("GET", target, {}, {}, 5000ms);
    a.status = r.status;
    a.raw = r.body.empty() ? r.error : r.body;
    boost::system::error_code ec;
    a.body = json::parse(r.body, ec);
    if (ec) a.body = nullptr;
    return a;
  }
  // An instant query at now.
  ApiAnswer query(const std::string& promql) { return get("/api/v1/query?query=" + url_encode(promql)); }
  // The samples of an instant query (empty on an error, which the caller sees through query()).
  json::array samples(const std::string& promql) {
    const auto a = query(promql);
    if (!a.success()) return {};
    return a.body.at("data").at("result").as_array();
  }
  // job -> health ("up", "down", "unknown") of the active targets.
  std::map<std::string, std::string> target_health() {
    std::map<std::string, std::string> out;
    const auto a = get("/api/v1/targets?state=active");
    if (!a.success()) return out;
    for (const auto& t : a.body.at("data").at("activeTargets").as_array()) {
      out[std::string(t.at("labels").at("job").as_string())] = std::string(t.at("health").as_string());
    }
    return out;
  }
  std::string log_tail() const { return process_->log_tail(); }

 private:
  std::uint16_t port_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<HttpClient> client_;
};

// Polls `check` every 50 ms until it holds or `deadline` passes.
template <class F>
bool eventually(F check, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return check();
}

// Calls `request` until it answers `status` (the consumers on the other side catch up meanwhile).
HttpResult until_status(const std::function<HttpResult()>& request, int status, std::chrono::milliseconds deadline) {
  HttpResult r = request();
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (r.status != status && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(200ms);
    r = request();
  }
  return r;
}

class Monitoring : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, std::string> env{{"ADMIN_TOKEN", admin_token}, {"EVENT_CLOCK_START", clock_start}};
    std::map<std::string, std::uint16_t> ports;
    for (const auto& name : services) {
      service_[name] = std::make_unique<ServiceProcess>(name, env);
      ports[name] = service_[name]->port();
    }
    for (const auto& name : services) ASSERT_TRUE(service_[name]->wait_ready()) << name << "\n" << service_[name]->log_tail();
    prometheus_ = std::make_unique<Prometheus>(ports);
    ASSERT_TRUE(prometheus_->wait_ready(30s)) << EXPO_PROMETHEUS_BINARY << " did not get ready\n" << prometheus_->log_tail();
    drive_traffic();
  }

  void TearDown() override {
    for (auto& [name, service] : service_) {
      if (service && service->running()) {
        EXPECT_EQ(service->stop(SIGTERM), 0) << name << "\n" << service->log_tail();
      }
    }
  }

  HttpClient& client(const std::string& name) {
    auto& c = client_[name];
    if (!c) c = std::make_unique<HttpClient>(service_.at(name)->port());
    return *c;
  }
  HttpResult post(const std::string& service, const std::string& path, const json::object& body,
                  const std::string& bearer) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
    return client(service).request("POST", path, json::serialize(body), headers);
  }

  // A sign-up, a tablet with a heartbeat, a check-in at its booth and a vote for an innovation of that
  // booth: each business series then has a sample that moved.
  void drive_traffic() {
    const std::string name = "Uji Monitoring " + random_id().substr(0, 6);
    // tests/check-personal-data.sh looks for this name in every log of the run.
    std::ofstream(expo::testing::required_env("EXPO_TEST_RUN_DIR") + "/personal-data-used.txt", std::ios::app)
        << name << '\n';
    const auto signed_up = post("registration", "/v1/visitors",
                                {{"name", name}, {"visitor_type", "public"}, {"origin_region", booth}, {"consent", true}}, {});
    ASSERT_EQ(signed_up.status, 201) << signed_up.body;
    const std::string badge(json_of(signed_up).at("badge_token").as_string());

    const auto device = post("checkin", "/v1/admin/devices", {{"booth_id", booth}, {"label", "monitoring test"}}, admin_token);
    ASSERT_EQ(device.status, 201) << device.body;
    const std::string device_key(json_of(device).at("device_key").as_string());
    const auto heartbeat = until_status(
        [&] { return post("checkin", "/v1/devices/heartbeat", {{"queue_depth", 2}}, device_key); }, 204, 15s);
    ASSERT_EQ(heartbeat.status, 204) << heartbeat.body;
    // The check-in service learns the visitor from visitors.v1: 404 until then.
    const auto checked_in = until_status(
        [&] {
          return post("checkin", "/v1/checkins", {{"badge", badge}, {"client_event_id", "ce-" + random_id()}}, device_key);
        },
        201, 30s);
    ASSERT_EQ(checked_in.status, 201) << checked_in.body;

    ASSERT_EQ(post("voting", "/v1/admin/voting/open", {}, admin_token).status, 200);
    const auto event = json_of(client("voting").get("/v1/event"));
    for (const auto& i : event.at("innovations").as_array()) {
      if (i.at("booth_id").as_string() == booth) {
        innovation_ = std::string(i.at("innovation_id").as_string());
        break;
      }
    }
    ASSERT_FALSE(innovation_.empty());
    // The voting service learns the check-in from checkins.v1: 422 not_checked_in until then.
    const auto voted = until_status(
        [&] {
          return post("voting", "/v1/votes",
                      {{"badge", badge}, {"innovation_id", innovation_}, {"client_event_id", "ce-" + random_id()}}, {});
        },
        201, 30s);
    ASSERT_EQ(voted.status, 201) << voted.body;
  }

  std::map<std::string, std::unique_ptr<ServiceProcess>> service_;
  std::map<std::string, std::unique_ptr<HttpClient>> client_;
  std::unique_ptr<Prometheus> prometheus_;
  std::string innovation_;
};

TEST_F(Monitoring, AllFourTargetsAreUpAndTheKeySeriesHaveSamples) {
  ASSERT_TRUE(eventually(
      [&] {
        const auto health = prometheus_->target_health();
        return std::all_of(services.begin(), services.end(),
                           [&](const std::string& s) { return health.contains(s) && health.at(s) == "up"; });
      },
      10s))
      << prometheus_->log_tail();
  EXPECT_EQ(prometheus_->samples(R"(up{job=~"registration|checkin|voting|leaderboard"} == 1)").size(), 4u);

  // Each series of docs/metrics.md the alerts and dashboards stand on, with a condition the traffic
  // above makes true: a query with at least one sample once Prometheus scraped after it.
  const std::vector<std::string> key_series{
      R"(expo_build_info == 1)",
      R"(expo_event_open == 1)",
      R"(expo_dependency_up{dependency="kafka"} == 1)",
      R"(expo_dependency_up{dependency="redis"} == 1)",
      R"(expo_http_requests_total{job="registration", route="/v1/visitors", method="POST", status_class="2xx"} >= 1)",
      R"(expo_http_request_duration_seconds_count{job="checkin", route="/v1/checkins"} >= 1)",
      R"(expo_http_request_duration_seconds_bucket{job="voting", route="/v1/votes", le="+Inf"} >= 1)",
      R"(expo_kafka_produce_duration_seconds_count{job="registration", topic="visitors.v1"} >= 1)",
      R"(expo_kafka_produce_duration_seconds_count{job="checkin", topic="checkins.v1"} >= 1)",
      R"(expo_kafka_produce_duration_seconds_count{job="voting", topic="votes.v1"} >= 1)",
      R"(expo_kafka_produce_errors_total{job="voting", topic="votes.v1"} == 0)",
      R"(expo_kafka_consumer_lag{job="leaderboard"} >= 0)",
      R"(expo_redis_command_duration_seconds_count >= 1)",
      R"(expo_redis_command_errors_total >= 0)",
      R"(expo_redis_connected == 1)",
      R"(expo_registrations_total{outcome="created"} >= 1)",
      R"(expo_checkins_total{result="checked_in"} >= 1)",
      R"(expo_booth_checkins_total{booth_id=")" + booth + R"("} >= 1)",
      R"(expo_checkin_refusals_total{code="unknown_visitor"} >= 0)",
      R"(expo_tablets_online >= 1)",
      R"(expo_booth_tablets_online{booth_id=")" + booth + R"("} >= 1)",
      R"(expo_tablet_queue_depth{booth_id=")" + booth + R"("} == 2)",
      R"(expo_votes_total{result="accepted"} >= 1)",
      R"(expo_booth_votes_total{booth_id=")" + booth + R"("} >= 1)",
      R"(expo_innovation_votes_total{innovation_id=")" + innovation_ + R"(", region_id=")" + booth + R"("} >= 1)",
      R"(expo_voting_open == 1)",
      R"(expo_voting_flagged_devices >= 0)",
      R"(expo_voting_device_flags_total >= 0)",
      R"(expo_leaderboard_stream_sessions >= 0)",
      R"(expo_leaderboard_generation >= 0)",
  };
  for (const auto& q : key_series) {
    EXPECT_TRUE(eventually([&] { return !prometheus_->samples(q).empty(); }, 15s))
        << "no sample for " << q << "\nquery answer: " << prometheus_->query(q).raw;
  }
}

TEST_F(Monitoring, EveryRecordingAndAlertRuleEvaluatesWithoutError) {
  // Both rule files loaded, every rule evaluated at least once by Prometheus itself (health "ok"),
  // and its expression answered as an instant query.
  std::size_t evaluated = 0;
  std::set<std::string> files;
  std::vector<std::pair<std::string, std::string>> rules;  // name, query
  ASSERT_TRUE(eventually(
      [&] {
        const auto a = prometheus_->get("/api/v1/rules");
        if (!a.success()) return false;
        files.clear();
        rules.clear();
        bool all_evaluated = true;
        for (const auto& g : a.body.at("data").at("groups").as_array()) {
          files.insert(std::filesystem::path(std::string(g.at("file").as_string())).filename().string());
          for (const auto& r : g.at("rules").as_array()) {
            rules.emplace_back(std::string(r.at("name").as_string()), std::string(r.at("query").as_string()));
            all_evaluated = all_evaluated && r.at("health").as_string() != "unknown";
          }
        }
        return all_evaluated && !rules.empty();
      },
      15s))
      << prometheus_->get("/api/v1/rules").raw;
  EXPECT_EQ(files, (std::set<std::string>{"alerts.yml", "recording.yml"}));

  const auto a = prometheus_->get("/api/v1/rules");
  for (const auto& g : a.body.at("data").at("groups").as_array()) {
    for (const auto& r : g.at("rules").as_array()) {
      EXPECT_EQ(r.at("health").as_string(), "ok")
          << r.at("name").as_string() << ": " << (r.as_object().contains("lastError") ? json::serialize(r.at("lastError")) : "");
    }
  }
  for (const auto& [name, query] : rules) {
    const auto answer = prometheus_->query(query);
    EXPECT_TRUE(answer.success()) << name << ": " << query << "\n" << answer.raw;
    ++evaluated;
  }
  EXPECT_GE(evaluated, 20u);
  std::cout << "rules evaluated: " << evaluated << "\n";
}

TEST_F(Monitoring, EveryDashboardExpressionEvaluatesWithoutError) {
  // Let a few scrapes and rule evaluations land, so recorded series exist for the panels that read them.
  ASSERT_TRUE(eventually([&] { return !prometheus_->samples("job:expo_http_requests:rate5m").empty(); }, 15s));
  std::size_t checked = 0, empty = 0;
  for (const auto& d : expo::testing::monitoring::load_dashboards(expo::testing::monitoring::dashboard_dir())) {
    ASSERT_TRUE(d.problems.empty()) << d.file << ": " << d.problems.front();
    for (const auto& e : d.exprs) {
      const auto promql = expo::testing::monitoring::substitute(e.expr, d);
      const auto answer = prometheus_->query(promql);
      EXPECT_TRUE(answer.success()) << d.file << " / " << e.panel << " / " << e.ref_id << ": " << promql << "\n"
                                    << answer.raw;
      if (answer.success() && answer.body.at("data").at("result").is_array() &&
          answer.body.at("data").at("result").as_array().empty()) {
        ++empty;
        std::cout << "  no data (yet): " << d.file << " / " << e.panel << " / " << e.ref_id << "\n";
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 40u);
  std::cout << "dashboard expressions evaluated: " << checked << " (" << empty << " without data right now)\n";
}

TEST_F(Monitoring, AKilledServiceIsDownWithinOneScrapeInterval) {
  ASSERT_TRUE(eventually([&] { return prometheus_->target_health()["checkin"] == "up"; }, 10s));
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(service_.at("checkin")->stop(SIGKILL), -SIGKILL);
  const bool down = eventually(
      [&] {
        return prometheus_->target_health()["checkin"] == "down" &&
               prometheus_->samples(R"(up{job="checkin"} == 0)").size() == 1;
      },
      10s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at);
  std::cout << "checkin SIGKILLed: target down and up == 0 after " << took.count() << " ms (scrape interval "
            << std::chrono::milliseconds(scrape_interval).count() << " ms)\n";
  ASSERT_TRUE(down) << prometheus_->get("/api/v1/targets?state=active").raw;
  // One interval until the next scrape, plus the slack of polling and the API round trips.
  EXPECT_LE(took, scrape_interval + 1s);
  // The others stay up.
  EXPECT_EQ(prometheus_->samples(R"(up{job=~"registration|voting|leaderboard"} == 1)").size(), 3u);
  // The alert rule sees it at its next evaluation: pending now (firing after its `for`, which the
  // promtool test in deploy/prometheus/tests covers).
  EXPECT_TRUE(eventually(
      [&] { return !prometheus_->samples(R"(ALERTS{alertname="ExpoServiceDown", job="checkin"})").empty(); }, 5s))
      << prometheus_->get("/api/v1/alerts").raw;
}

}  // namespace

#include "app/monitoring.hpp"

#include <array>
#include <cctype>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>


namespace expo::leaderboard {
namespace {

struct Question {
  const char* member;  // where the answer goes
  const char* promql;
  const char* value;   // the name of each row's value
};

// job is the service (deploy/prometheus/prometheus.yml names each job after its service).
constexpr std::array<Question, 3> kQuestions{{
    {"targets", "up", "up"},
    {"consumer_lag", "sum by (job, topic) (expo_kafka_consumer_lag)", "lag"},
    {"error_rates", "sum by (job) (rate(expo_http_requests_total{status_class=\"5xx\"}[5m]))", "per_second"},
}};

std::string query_target(std::string_view promql) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string target = "/api/v1/query?query=";
  for (const unsigned char c : promql) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      target += static_cast<char>(c);
    } else {
      target += '%';
      target += hex[c >> 4];
      target += hex[c & 15];
    }
  }
  return target;
}

// Prometheus' instant vector: {"status":"success","data":{"result":[{"metric":{...},"value":[t,"v"]}]}}
// -> [{service, <label>..., <value>}]. nullopt when the answer is not that.
std::optional<boost::json::array> rows_of(const std::string& body, const char* value_name) {
  boost::system::error_code ec;
  auto json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) return std::nullopt;
  const auto* data = json.as_object().if_contains("data");
  const auto* result = data && data->is_object() ? data->as_object().if_contains("result") : nullptr;
  if (!result || !result->is_array()) return std::nullopt;
  boost::json::array rows;
  for (const auto& item : result->as_array()) {
    const auto* sample = item.if_object();
    const auto* metric = sample ? sample->if_contains("metric") : nullptr;
    const auto* value = sample ? sample->if_contains("value") : nullptr;
    if (!metric || !metric->is_object() || !value || !value->is_array() || value->as_array().size() != 2 ||
        !value->as_array()[1].is_string()) {
      continue;
    }
    boost::json::object row;
    for (const auto& [label, text] : metric->as_object()) {
      if (label == "job") {
        row["service"] = text;
      } else if (label != "instance" && label != "__name__") {
        row[label] = text;
      }
    }
    try {
      row[value_name] = std::stod(std::string(value->as_array()[1].as_string()));
    } catch (const std::exception&) {
      continue;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

boost::json::object unavailable(std::string why) {
  return boost::json::object{{"available", false}, {"error", std::move(why)}};
}

// Asks the questions one after another (three small requests, twice a minute per open page).
void ask(boost::asio::io_context& io, const http::Endpoint& prometheus, std::size_t next,
         std::shared_ptr<boost::json::object> answer, std::function<void(boost::json::object)> done) {
  if (next == kQuestions.size()) return done(std::move(*answer));
  const auto& q = kQuestions[next];
  http::get(io, prometheus, query_target(q.promql), {},
            [&io, prometheus, next, answer, done = std::move(done), q](Result<http::ClientResponse> r) mutable {
              if (!r) return done(unavailable("Prometheus did not answer: " + r.error().message));
              auto rows = r->status == 200 ? rows_of(r->body, q.value) : std::nullopt;
              if (!rows) return done(unavailable("Prometheus answered " + std::to_string(r->status)));
              (*answer)[q.member] = std::move(*rows);
              ask(io, prometheus, next + 1, std::move(answer), std::move(done));
            });
}

}  // namespace

Monitoring::Monitoring(boost::asio::io_context& io, std::optional<http::Endpoint> prometheus)
    : io_(io), prometheus_(std::move(prometheus)) {}

void Monitoring::query(std::function<void(boost::json::object)> done) {
  if (!prometheus_) return done(unavailable("monitoring is not configured (leaderboard.prometheus_url is none)"));
  auto answer = std::make_shared<boost::json::object>(boost::json::object{{"available", true}});
  ask(io_, *prometheus_, 0, std::move(answer), std::move(done));
}

}  // namespace expo::leaderboard

#pragma once
// Reads the Grafana dashboards of deploy/grafana/dashboards: every panel's PromQL, and the same
// expression with Grafana's variables replaced so Prometheus can run it as it is. Shared by the unit
// test (the files are sound) and the monitoring integration test (every expression evaluates).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace expo::testing::monitoring {

struct PanelExpr {
  std::string dashboard;  // file name, e.g. "booths.json"
  std::string panel;      // panel title
  std::string ref_id;     // target refId
  std::string expr;       // as written
};

struct Dashboard {
  std::string file;
  std::string uid, title;
  long long schema_version = 0;
  // Template variables: name -> the value that stands for "all" ("allValue", else ".*").
  std::map<std::string, std::string> variables;
  std::vector<PanelExpr> exprs;
  // Problems found while reading (missing targets, a non-Prometheus datasource...); empty when sound.
  std::vector<std::string> problems;
};

// The dashboards folder of the source tree (EXPO_DASHBOARD_DIR, set by CMake).
std::filesystem::path dashboard_dir();

// Every *.json of `dir`, sorted by name. A file that does not parse is a Dashboard with a problem.
std::vector<Dashboard> load_dashboards(const std::filesystem::path& dir);

// `expr` with the dashboard's variables ($name, ${name}, [[name]]) replaced by their "all" value, and
// Grafana's built-ins: $__rate_interval and $__interval -> 1m, $__range -> 1h (and their _s/_ms forms).
std::string substitute(const std::string& expr, const Dashboard& dashboard);

}  // namespace expo::testing::monitoring

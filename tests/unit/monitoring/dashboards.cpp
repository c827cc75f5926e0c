#include "dashboards.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>

#ifndef EXPO_DASHBOARD_DIR
#error "EXPO_DASHBOARD_DIR must name deploy/grafana/dashboards"
#endif

namespace expo::testing::monitoring {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A panel's or target's datasource must be Prometheus through the dashboard's variable or the
// provisioned uid "prometheus"; an absent one inherits the panel's.
void check_datasource(const json::object& o, const std::string& where, std::vector<std::string>& problems) {
  const auto* ds = o.if_contains("datasource");
  if (!ds || ds->is_null()) return;
  if (!ds->is_object()) {
    problems.push_back(where + ": datasource is not an object");
    return;
  }
  const auto uid = str(ds->as_object(), "uid");
  const auto type = str(ds->as_object(), "type");
  if (type != "prometheus" || (uid != "${DS_PROMETHEUS}" && uid != "prometheus")) {
    problems.push_back(where + ": datasource is not Prometheus (${DS_PROMETHEUS} or uid prometheus): type '" + type +
                       "', uid '" + uid + "'");
  }
}

void read_panels(const json::array& panels, Dashboard& d) {
  for (const auto& value : panels) {
    if (!value.is_object()) {
      d.problems.push_back("a panel is not an object");
      continue;
    }
    const auto& panel = value.as_object();
    const auto type = str(panel, "type");
    const auto title = str(panel, "title");
    const auto where = "panel '" + title + "'";
    if (type == "row") {
      // A collapsed row keeps its panels inside it.
      if (const auto* inner = panel.if_contains("panels"); inner && inner->is_array()) read_panels(inner->as_array(), d);
      continue;
    }
    if (title.empty()) d.problems.push_back("a " + type + " panel has no title");
    if (!panel.if_contains("gridPos")) d.problems.push_back(where + ": no gridPos");
    check_datasource(panel, where, d.problems);
    const auto* targets = panel.if_contains("targets");
    if (!targets || !targets->is_array() || targets->as_array().empty()) {
      d.problems.push_back(where + ": no targets");
      continue;
    }
    for (const auto& t : targets->as_array()) {
      if (!t.is_object()) {
        d.problems.push_back(where + ": a target is not an object");
        continue;
      }
      const auto& target = t.as_object();
      const auto expr = str(target, "expr");
      const auto ref_id = str(target, "refId");
      check_datasource(target, where + " target " + ref_id, d.problems);
      if (expr.find_first_not_of(" \n\t") == std::string::npos) {
        d.problems.push_back(where + " target " + ref_id + ": no expr");
        continue;
      }
      d.exprs.push_back({d.file, title, ref_id, expr});
    }
  }
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

}  // namespace

std::filesystem::path dashboard_dir() { return EXPO_DASHBOARD_DIR; }

std::vector<Dashboard> load_dashboards(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Dashboard> out;
  for (const auto& file : files) {
    Dashboard d;
    d.file = file.filename().string();
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto value = json::parse(text.str(), ec);
    if (ec || !value.is_object()) {
      d.problems.push_back("not a JSON object: " + (ec ? ec.message() : std::string("another JSON value")));
      out.push_back(std::move(d));
      continue;
    }
    const auto& root = value.as_object();
    d.uid = str(root, "uid");
    d.title = str(root, "title");
    if (const auto* v = root.if_contains("schemaVersion"); v && v->is_int64()) d.schema_version = v->as_int64();
    if (const auto* templating = root.if_contains("templating"); templating && templating->is_object()) {
      if (const auto* list = templating->as_object().if_contains("list"); list && list->is_array()) {
        for (const auto& var : list->as_array()) {
          if (!var.is_object()) continue;
          const auto all = str(var.as_object(), "allValue");
          d.variables[str(var.as_object(), "name")] = all.empty() ? ".*" : all;
        }
      }
    }
    if (const auto* panels = root.if_contains("panels"); panels && panels->is_array()) {
      read_panels(panels->as_array(), d);
    } else {
      d.problems.push_back("no panels");
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string substitute(const std::string& expr, const Dashboard& dashboard) {
  std::string s = expr;
  // Built-ins first, each before any name it starts with ($__range_s before $__range).
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{{"__rate_interval", "1m"},
                                                                                     {"__interval_ms", "60000"},
                                                                                     {"__interval", "1m"},
                                                                                     {"__range_s", "3600"},
                                                                                     {"__range_ms", "3600000"},
                                                                                     {"__range", "1h"}}) {
    replace_all(s, "${" + name + "}", value);
    replace_all(s, "$" + name, value);
  }
  // Longer names first, so $booth_id would not be cut by a variable $booth.
  std::vector<std::pair<std::string, std::string>> vars(dashboard.variables.begin(), dashboard.variables.end());
  std::sort(vars.begin(), vars.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [name, value] : vars) {
    replace_all(s, "${" + name + "}", value);
    replace_all(s, "[[" + name + "]]", value);
    replace_all(s, "$" + name, value);
  }
  return s;
}

}  // namespace expo::testing::monitoring

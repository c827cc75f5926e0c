// The Grafana dashboards (deploy/grafana/dashboards/*.json) are sound without a Grafana: each parses,
// has a uid, a title and a current schema, uses Prometheus through ${DS_PROMETHEUS} (or the uid
// "prometheus"), and every panel has at least one target with a PromQL expression whose variables are
// all defined. Whether each expression runs is the monitoring integration test's job.
#include <gtest/gtest.h>

#include <set>

#include "dashboards.hpp"

using expo::testing::monitoring::dashboard_dir;
using expo::testing::monitoring::load_dashboards;
using expo::testing::monitoring::substitute;

TEST(Dashboards, TheFourDashboardsOfTheIssueAreThere) {
  std::set<std::string> files;
  for (const auto& d : load_dashboards(dashboard_dir())) files.insert(d.file);
  for (const char* name : {"overview.json", "booths.json", "voting.json", "infrastructure.json"}) {
    EXPECT_TRUE(files.contains(name)) << name << " missing in " << dashboard_dir();
  }
}

TEST(Dashboards, EachParsesAndEveryPanelHasAPrometheusExpression) {
  const auto dashboards = load_dashboards(dashboard_dir());
  ASSERT_FALSE(dashboards.empty());
  std::set<std::string> uids;
  for (const auto& d : dashboards) {
    SCOPED_TRACE(d.file);
    for (const auto& problem : d.problems) ADD_FAILURE() << d.file << ": " << problem;
    EXPECT_FALSE(d.uid.empty());
    EXPECT_TRUE(uids.insert(d.uid).second) << "uid " << d.uid << " used twice";
    EXPECT_FALSE(d.title.empty());
    // Grafana 10/11 (schema 36+) reads it without a migration that would rewrite the datasources.
    EXPECT_GE(d.schema_version, 36);
    EXPECT_FALSE(d.exprs.empty());
    EXPECT_TRUE(d.variables.contains("DS_PROMETHEUS")) << "no datasource variable DS_PROMETHEUS";
  }
}

TEST(Dashboards, EveryVariableAnExpressionUsesIsDefined) {
  std::size_t checked = 0;
  for (const auto& d : load_dashboards(dashboard_dir())) {
    for (const auto& e : d.exprs) {
      const auto resolved = substitute(e.expr, d);
      EXPECT_EQ(resolved.find('$'), std::string::npos)
          << d.file << " / " << e.panel << " / " << e.ref_id << ": an undefined variable in " << e.expr;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40u);
}

TEST(Dashboards, SubstitutionReplacesBuiltinsAndVariables) {
  expo::testing::monitoring::Dashboard d;
  d.variables = {{"booth", ".*"}, {"booth_group", "a|b"}};
  EXPECT_EQ(substitute(R"(rate(x{booth_id=~"$booth"}[$__rate_interval]))", d), R"(rate(x{booth_id=~".*"}[1m]))");
  EXPECT_EQ(substitute(R"(increase(x{g=~"${booth_group}"}[$__range]))", d), R"(increase(x{g=~"a|b"}[1h]))");
  EXPECT_EQ(substitute(R"(x{g=~"[[booth]]"} / $__range_s)", d), R"(x{g=~".*"} / 3600)");
}

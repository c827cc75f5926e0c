#include "expo/config/config.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace cfg = expo::config;

namespace {

// A fake environment: tests never depend on (or change) the real one, except the one test of
// process_environment().
cfg::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("expo-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".json");
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

cfg::Schema schema() {
  cfg::Schema s;
  s.add({.key = "http.port", .type = cfg::Type::integer, .default_value = std::int64_t{8081},
         .help = "HTTP listen port", .min = 1, .max = 65535});
  s.add({.key = "http.host", .type = cfg::Type::string, .default_value = std::string("0.0.0.0"),
         .help = "HTTP listen address"});
  s.add({.key = "kafka.brokers", .type = cfg::Type::string, .default_value = std::string("localhost:9092"),
         .help = "bootstrap servers"});
  s.add({.key = "ratio", .type = cfg::Type::number, .default_value = 0.5, .help = "a fraction"});
  s.add({.key = "voting.open", .type = cfg::Type::boolean, .default_value = true, .help = "voting open at start"});
  s.add({.key = "admin.token", .type = cfg::Type::string, .default_value = std::string(""),
         .help = "admin bearer token", .extra_env = {"ADMIN_TOKEN", "EXPO_LEGACY_ADMIN_TOKEN"}});
  s.add({.key = "device.key_ttl", .type = cfg::Type::integer, .default_value = std::int64_t{60},
         .help = "seconds", .min = 1, .max = 3600});
  s.add({.key = "log.level", .type = cfg::Type::string, .default_value = std::string("info"),
         .help = "log level",
         .validate = [](const cfg::Value& v) -> std::optional<std::string> {
           const auto& level = std::get<std::string>(v);
           if (level == "debug" || level == "info" || level == "warn" || level == "error") return std::nullopt;
           return "must be one of debug, info, warn, error";
         }});
  return s;
}

std::string error_of(const expo::Result<cfg::Settings>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "config_invalid");
  EXPECT_FALSE(r.error().retryable);
  return r.error().message;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "'" << (haystack) << "' lacks '" << (needle) << "'"
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ(std::string(haystack).find(needle), std::string::npos) << "'" << (haystack) << "' has '" << (needle) << "'"

}  // namespace

TEST(ConfigEnvName, UppercasesAndReplacesDots) {
  EXPECT_EQ(cfg::env_name("http.port"), "EXPO_HTTP_PORT");
  EXPECT_EQ(cfg::env_name("kafka.brokers"), "EXPO_KAFKA_BROKERS");
  EXPECT_EQ(cfg::env_name("ratio"), "EXPO_RATIO");
}

TEST(ConfigLoad, DefaultsWhenNothingIsSet) {
  auto r = cfg::load(schema(), std::nullopt, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->integer("http.port"), 8081);
  EXPECT_EQ(r->str("http.host"), "0.0.0.0");
  EXPECT_DOUBLE_EQ(r->number("ratio"), 0.5);
  EXPECT_TRUE(r->boolean("voting.open"));
  EXPECT_EQ(r->source("http.port"), "default");
}

TEST(ConfigLoad, NestedFileValuesOverrideDefaults) {
  TempFile f(R"({"http":{"port":9000,"host":"127.0.0.1"},"ratio":2,"voting":{"open":false}})");
  auto r = cfg::load(schema(), f.path(), env_of({}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->integer("http.port"), 9000);
  EXPECT_EQ(r->str("http.host"), "127.0.0.1");
  EXPECT_DOUBLE_EQ(r->number("ratio"), 2.0);  // an integer in the file is fine for a number key
  EXPECT_FALSE(r->boolean("voting.open"));
  EXPECT_EQ(r->source("http.port"), "file");
  EXPECT_EQ(r->source("kafka.brokers"), "default");
}

TEST(ConfigLoad, EnvironmentOverridesFile) {
  TempFile f(R"({"http":{"port":9000}})");
  auto r = cfg::load(schema(), f.path(), env_of({{"EXPO_HTTP_PORT", "9100"}, {"EXPO_RATIO", "0.25"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->integer("http.port"), 9100);
  EXPECT_EQ(r->source("http.port"), "env EXPO_HTTP_PORT");
  EXPECT_DOUBLE_EQ(r->number("ratio"), 0.25);
}

TEST(ConfigLoad, AliasesApplyAndTheExpoNameWins) {
  auto alias_only = cfg::load(schema(), std::nullopt, env_of({{"ADMIN_TOKEN", "t1"}}));
  ASSERT_TRUE(alias_only.ok());
  EXPECT_EQ(alias_only->str("admin.token"), "t1");
  EXPECT_EQ(alias_only->source("admin.token"), "env ADMIN_TOKEN");

  auto both = cfg::load(schema(), std::nullopt, env_of({{"ADMIN_TOKEN", "t1"}, {"EXPO_ADMIN_TOKEN", "t0"}}));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->str("admin.token"), "t0");
  EXPECT_EQ(both->source("admin.token"), "env EXPO_ADMIN_TOKEN");

  auto second_alias = cfg::load(schema(), std::nullopt, env_of({{"EXPO_LEGACY_ADMIN_TOKEN", "t2"}}));
  ASSERT_TRUE(second_alias.ok());
  EXPECT_EQ(second_alias->str("admin.token"), "t2");

  auto first_alias = cfg::load(schema(), std::nullopt,
                               env_of({{"EXPO_LEGACY_ADMIN_TOKEN", "t2"}, {"ADMIN_TOKEN", "t1"}}));
  ASSERT_TRUE(first_alias.ok());
  EXPECT_EQ(first_alias->str("admin.token"), "t1");
}

TEST(ConfigLoad, EmptyEnvironmentVariableCountsAsUnset) {
  TempFile f(R"({"http":{"host":"10.0.0.1"}})");
  auto r = cfg::load(schema(), f.path(), env_of({{"EXPO_HTTP_HOST", ""}, {"EXPO_ADMIN_TOKEN", ""},
                                                 {"ADMIN_TOKEN", "fromalias"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->str("http.host"), "10.0.0.1");
  EXPECT_EQ(r->str("admin.token"), "fromalias");
}

TEST(ConfigLoad, BooleansFromEnvironment) {
  for (const char* yes : {"true", "1", "yes", "TRUE", "Yes"}) {
    auto r = cfg::load(schema(), std::nullopt, env_of({{"EXPO_VOTING_OPEN", yes}}));
    ASSERT_TRUE(r.ok()) << yes;
    EXPECT_TRUE(r->boolean("voting.open")) << yes;
  }
  for (const char* no : {"false", "0", "no", "No"}) {
    auto r = cfg::load(schema(), std::nullopt, env_of({{"EXPO_VOTING_OPEN", no}}));
    ASSERT_TRUE(r.ok()) << no;
    EXPECT_FALSE(r->boolean("voting.open")) << no;
  }
  const auto msg = error_of(cfg::load(schema(), std::nullopt, env_of({{"EXPO_VOTING_OPEN", "maybe"}})));
  EXPECT_CONTAINS(msg, "voting.open");
  EXPECT_CONTAINS(msg, "EXPO_VOTING_OPEN");
  EXPECT_CONTAINS(msg, "\"maybe\"");
  EXPECT_CONTAINS(msg, "true/false/1/0/yes/no");
}

TEST(ConfigLoad, IntegerFromEnvironmentMustBeWholeNumber) {
  for (const char* bad : {"80x", "8.5", "", " ", "99999999999999999999"}) {
    auto r = cfg::load(schema(), std::nullopt, env_of({{"EXPO_HTTP_PORT", bad}}));
    if (std::string(bad).empty()) {
      EXPECT_TRUE(r.ok());  // empty means unset
      continue;
    }
    const auto msg = error_of(r);
    EXPECT_CONTAINS(msg, "http.port from environment variable EXPO_HTTP_PORT");
    EXPECT_CONTAINS(msg, "is not an integer");
  }
}

TEST(ConfigLoad, IntegerOutOfRange) {
  const auto from_env = error_of(cfg::load(schema(), std::nullopt, env_of({{"EXPO_HTTP_PORT", "70000"}})));
  EXPECT_CONTAINS(from_env, "http.port from environment variable EXPO_HTTP_PORT");
  EXPECT_CONTAINS(from_env, "70000 is out of range (allowed 1..65535)");

  TempFile f(R"({"http":{"port":0}})");
  const auto from_file = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(from_file, "http.port in config file " + f.path().string());
  EXPECT_CONTAINS(from_file, "0 is out of range");

  TempFile huge(R"({"http":{"port":18446744073709551615}})");
  const auto from_huge = error_of(cfg::load(schema(), huge.path(), env_of({})));
  EXPECT_CONTAINS(from_huge, "out of range");
}

TEST(ConfigLoad, WrongTypeInFileNamesKeyAndFile) {
  TempFile f(R"({"http":{"port":"8081"}})");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(msg, "http.port in config file " + f.path().string());
  EXPECT_CONTAINS(msg, "expected an integer, found a string \"8081\"");

  TempFile g(R"({"http":{"port":80.5}})");
  EXPECT_CONTAINS(error_of(cfg::load(schema(), g.path(), env_of({}))), "expected an integer, found a number");

  TempFile h(R"({"voting":{"open":"yes"}})");
  EXPECT_CONTAINS(error_of(cfg::load(schema(), h.path(), env_of({}))), "expected a boolean");

  TempFile n(R"({"kafka":{"brokers":null}})");
  EXPECT_CONTAINS(error_of(cfg::load(schema(), n.path(), env_of({}))), "expected a string, found null");
}

TEST(ConfigLoad, ObjectWhereValueExpectedAndViceVersa) {
  TempFile f(R"({"http":8081})");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(msg, "'http'");
  EXPECT_CONTAINS(msg, "must be a JSON object");

  TempFile g(R"({"ratio":{"x":1}})");
  EXPECT_CONTAINS(error_of(cfg::load(schema(), g.path(), env_of({}))), "ratio in config file");
}

TEST(ConfigLoad, UnknownKeyIsNamedWithClosestSuggestion) {
  TempFile f(R"({"http":{"prot":8081}})");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(msg, "unknown key 'http.prot'");
  EXPECT_CONTAINS(msg, f.path().string());
  EXPECT_CONTAINS(msg, "did you mean 'http.port'?");

  TempFile g(R"({"kafak":{"brokers":"x"}})");
  const auto nested = error_of(cfg::load(schema(), g.path(), env_of({})));
  EXPECT_CONTAINS(nested, "unknown key 'kafak.brokers'");
  EXPECT_CONTAINS(nested, "did you mean 'kafka.brokers'?");
}

TEST(ConfigLoad, DottedKeysInFileAreRejected) {
  TempFile f(R"({"http.port":9000})");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(msg, "'http.port'");
  EXPECT_CONTAINS(msg, "nested");
}

TEST(ConfigLoad, InvalidJsonReportsLine) {
  TempFile f("{\n  \"http\": {\n    \"port\": 80,,\n  }\n}\n");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(msg, f.path().string());
  EXPECT_CONTAINS(msg, "invalid JSON at line 3");
}

TEST(ConfigLoad, TopLevelMustBeObject) {
  TempFile f("[1,2]");
  EXPECT_CONTAINS(error_of(cfg::load(schema(), f.path(), env_of({}))), "top level must be a JSON object");
}

TEST(ConfigLoad, UnreadableFile) {
  const std::filesystem::path missing = "/nonexistent/expo/config.json";
  const auto msg = error_of(cfg::load(schema(), missing, env_of({})));
  EXPECT_CONTAINS(msg, "cannot read config file /nonexistent/expo/config.json");
  EXPECT_CONTAINS(msg, "No such file");

  const auto dir = error_of(cfg::load(schema(), std::filesystem::temp_directory_path(), env_of({})));
  EXPECT_CONTAINS(dir, "cannot read config file");
}

TEST(ConfigLoad, ValidatorFailureNamesKeyAndSource) {
  const auto msg = error_of(cfg::load(schema(), std::nullopt, env_of({{"EXPO_LOG_LEVEL", "loud"}})));
  EXPECT_CONTAINS(msg, "log.level from environment variable EXPO_LOG_LEVEL: must be one of debug, info, warn, error");
}

TEST(ConfigLoad, ValidatorAndRangeAlsoApplyToDefaults) {
  cfg::Schema s;
  s.add({.key = "x", .type = cfg::Type::string, .default_value = std::string(""), .help = "",
         .validate = [](const cfg::Value& v) -> std::optional<std::string> {
           if (std::get<std::string>(v).empty()) return "must be set";
           return std::nullopt;
         }});
  const auto msg = error_of(cfg::load(s, std::nullopt, env_of({})));
  EXPECT_CONTAINS(msg, "x (default value): must be set");
  auto ok = cfg::load(s, std::nullopt, env_of({{"EXPO_X", "v"}}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->str("x"), "v");
}

TEST(ConfigLoad, SecretValuesAreNeverEchoed) {
  TempFile f(R"({"admin":{"token":12345678}})");
  const auto from_file = error_of(cfg::load(schema(), f.path(), env_of({})));
  EXPECT_CONTAINS(from_file, "admin.token in config file");
  EXPECT_CONTAINS(from_file, "(hidden)");
  EXPECT_LACKS(from_file, "12345678");

  const auto from_env = error_of(cfg::load(schema(), std::nullopt, env_of({{"EXPO_DEVICE_KEY_TTL", "s3cr3tvalue"}})));
  EXPECT_CONTAINS(from_env, "device.key_ttl from environment variable EXPO_DEVICE_KEY_TTL");
  EXPECT_CONTAINS(from_env, "(hidden)");
  EXPECT_LACKS(from_env, "s3cr3tvalue");

  const auto range = error_of(cfg::load(schema(), std::nullopt, env_of({{"EXPO_DEVICE_KEY_TTL", "987654"}})));
  EXPECT_CONTAINS(range, "(hidden) is out of range");
  EXPECT_LACKS(range, "987654");

  EXPECT_TRUE(cfg::is_secret_key("admin.token"));
  EXPECT_TRUE(cfg::is_secret_key("badge.SECRET"));
  EXPECT_TRUE(cfg::is_secret_key("device.key_ttl"));
  EXPECT_FALSE(cfg::is_secret_key("http.port"));
}

TEST(ConfigLoad, EveryProblemIsReportedAtOnce) {
  TempFile f(R"({"http":{"prot":1},"ratio":"x"})");
  const auto msg = error_of(cfg::load(schema(), f.path(), env_of({{"EXPO_HTTP_PORT", "0"}})));
  EXPECT_CONTAINS(msg, "http.prot");
  EXPECT_CONTAINS(msg, "ratio in config file");
  EXPECT_CONTAINS(msg, "EXPO_HTTP_PORT");
}

TEST(ConfigLoad, InvalidEnvironmentDoesNotFallBackToFile) {
  TempFile f(R"({"http":{"port":9000}})");
  EXPECT_FALSE(cfg::load(schema(), f.path(), env_of({{"EXPO_HTTP_PORT", "abc"}})).ok());
}

TEST(ConfigLoad, ProcessEnvironmentReadsRealVariables) {
  ::setenv("EXPO_CONFIG_UNIT_TEST_PROBE", "here", 1);
  const auto env = cfg::process_environment();
  EXPECT_EQ(env("EXPO_CONFIG_UNIT_TEST_PROBE"), std::optional<std::string>("here"));
  ::unsetenv("EXPO_CONFIG_UNIT_TEST_PROBE");
  EXPECT_EQ(env("EXPO_CONFIG_UNIT_TEST_PROBE"), std::nullopt);
}

TEST(ConfigSettings, WrongAccessorOrUnknownKeyIsAProgrammingError) {
  auto r = cfg::load(schema(), std::nullopt, env_of({}));
  ASSERT_TRUE(r.ok());
  EXPECT_THROW((void)r->str("http.port"), std::logic_error);
  EXPECT_THROW((void)r->integer("nope"), std::logic_error);
  EXPECT_THROW((void)r->source("nope"), std::logic_error);
}

TEST(ConfigSchema, RejectsDeclarationMistakes) {
  cfg::Schema s;
  s.add({.key = "a.b", .type = cfg::Type::integer, .default_value = std::int64_t{1}});
  EXPECT_THROW(s.add({.key = "a.b", .type = cfg::Type::integer, .default_value = std::int64_t{1}}),
               std::invalid_argument);
  EXPECT_THROW(s.add({.key = "a", .type = cfg::Type::integer, .default_value = std::int64_t{1}}),
               std::invalid_argument);
  EXPECT_THROW(s.add({.key = "a.b.c", .type = cfg::Type::integer, .default_value = std::int64_t{1}}),
               std::invalid_argument);
  EXPECT_THROW(s.add({.key = "c", .type = cfg::Type::integer, .default_value = std::string("1")}),
               std::invalid_argument);
  EXPECT_THROW(s.add({.key = "Bad.Key", .type = cfg::Type::boolean, .default_value = true}), std::invalid_argument);
  EXPECT_THROW(s.add({.key = "d..e", .type = cfg::Type::boolean, .default_value = true}), std::invalid_argument);
  EXPECT_THROW(s.add({.key = "s", .type = cfg::Type::string, .default_value = std::string(), .min = 1}),
               std::invalid_argument);
  EXPECT_EQ(s.fields().size(), 1u);
}

TEST(ConfigDescribe, ListsKeysTypesDefaultsAndEnvNames) {
  const std::string text = cfg::describe(schema());
  EXPECT_CONTAINS(text, "http.port (integer, 1..65535)");
  EXPECT_CONTAINS(text, "default: 8081");
  EXPECT_CONTAINS(text, "EXPO_HTTP_PORT");
  EXPECT_CONTAINS(text, "HTTP listen port");
  EXPECT_CONTAINS(text, "default: \"0.0.0.0\"");
  EXPECT_CONTAINS(text, "env:     EXPO_ADMIN_TOKEN, ADMIN_TOKEN, EXPO_LEGACY_ADMIN_TOKEN");
  EXPECT_CONTAINS(text, "voting.open (boolean)");
}

TEST(ConfigDescribe, HidesSecretDefaults) {
  cfg::Schema s;
  s.add({.key = "badge.secret", .type = cfg::Type::string, .default_value = std::string("dev-only-secret")});
  const std::string text = cfg::describe(s);
  EXPECT_CONTAINS(text, "default: (hidden)");
  EXPECT_LACKS(text, "dev-only-secret");
}

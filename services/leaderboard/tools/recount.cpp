// expo-recount: recounts the leaderboard's tally from Kafka alone and prints the audit hash, so anyone
// who can read the topics can check GET /v1/leaderboards/audit without trusting Redis or the service.
//
//   expo-recount [--brokers HOST:PORT] [--lines]            recount up to the topics' current ends
//   curl -s http://HOST:8084/v1/leaderboards/audit | expo-recount --audit -    recount exactly what the
//                                                           audit covers and compare (exit 1 if not equal)
//
// The recount is domain/board_model.hpp: the boards counted in memory by the rules of the Lua the live
// boards are counted with (the same model a rebuild counts with), without Redis or the service.
// Progress goes to stderr; the result to stdout: "sha256 <hex>", and with --audit "match" or
// "MISMATCH" and the lines that differ.
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "domain/audit.hpp"
#include "domain/board_model.hpp"
#include "expo/core/json_member.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/topic_reader.hpp"

namespace {

using namespace expo;

struct Options {
  std::string brokers = "127.0.0.1:19092";
  std::string audit_path;  // "" none, "-" stdin
  bool lines = false;
};

int usage(const char* why) {
  std::cerr << "expo-recount: " << why << "\n"
            << "usage: expo-recount [--brokers HOST:PORT] [--audit FILE|-] [--lines]\n"
            << "  --brokers  Kafka bootstrap servers (default 127.0.0.1:19092, or $EXPO_KAFKA_BROKERS)\n"
            << "  --audit    the JSON of GET /v1/leaderboards/audit ('-' reads stdin): recount exactly the\n"
            << "             messages it covers and compare; exit status 1 when the hashes differ\n"
            << "  --lines    also print the canonical text, one fact a line\n";
  return 2;
}

struct Audit {
  std::string sha256;
  kafka::PartitionOffsets next_offsets;  // what the audit covers
  std::vector<std::string> lines;        // its canonical text, split
};

Result<Audit> read_audit(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::permanent("audit_unreadable", "cannot open " + path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  boost::system::error_code ec;
  auto json = boost::json::parse(text, ec);
  if (ec || !json.is_object()) return Error::permanent("audit_invalid", "the audit is not a JSON object");
  const auto& o = json.as_object();
  Audit audit;
  audit.sha256 = string_member(o, "sha256");
  const auto* offsets = o.if_contains("offsets");
  if (audit.sha256.empty() || !offsets || !offsets->is_array()) {
    return Error::permanent("audit_invalid", "the audit lacks sha256 or offsets");
  }
  for (const auto& item : offsets->as_array()) {
    const auto* entry = item.if_object();
    const auto* partition = entry ? entry->if_contains("partition") : nullptr;
    const auto* next = entry ? entry->if_contains("next_offset") : nullptr;
    if (!partition || !next || !partition->is_int64() || !next->is_int64()) {
      return Error::permanent("audit_invalid", "an audit offset lacks partition or next_offset");
    }
    audit.next_offsets[{string_member(*entry, "topic"), static_cast<std::int32_t>(partition->as_int64())}] =
        next->as_int64();
  }
  std::istringstream canonical(string_member(o, "canonical_text"));
  for (std::string line; std::getline(canonical, line);) audit.lines.push_back(line);
  return audit;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const char* env = std::getenv("EXPO_KAFKA_BROKERS"); env && *env) options.brokers = env;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      options.brokers = argv[++i];
    } else if (arg == "--audit" && i + 1 < argc) {
      options.audit_path = argv[++i];
    } else if (arg == "--lines") {
      options.lines = true;
    } else if (arg == "--help" || arg == "-h") {
      usage("recounts the leaderboard's audit from Kafka");
      return 0;
    } else {
      return usage(("unknown argument " + arg).c_str());
    }
  }

  std::optional<Audit> audit;
  if (!options.audit_path.empty()) {
    auto read = read_audit(options.audit_path);
    if (!read) return usage(read.error().message.c_str());
    audit = std::move(*read);
  }

  const std::vector<std::string> topics{std::string(events::topics::checkins), std::string(events::topics::votes),
                                        std::string(events::topics::admin)};
  auto ranges = kafka::ranges_to_end(options.brokers, topics);
  if (!ranges) {
    std::cerr << "expo-recount: " << ranges.error().message << "\n";
    return 3;
  }
  if (audit) {
    // Exactly the messages the audit covers: a partition it does not list it covers none of.
    for (auto& r : *ranges) {
      const auto found = audit->next_offsets.find({r.topic, r.partition});
      const auto covered = found == audit->next_offsets.end() ? r.from : found->second;
      if (covered > r.to) {
        std::cerr << "expo-recount: the audit covers " << r.topic << ":" << r.partition << " up to " << covered
                  << " but the log ends at " << r.to << "\n";
        std::cout << "MISMATCH\n";
        return 1;
      }
      r.to = std::max(r.from, covered);
    }
  }

  leaderboard::BoardModel recount;
  std::int64_t malformed = 0;
  kafka::ReadOptions read_options;
  std::int64_t last_report = 0;
  read_options.on_progress = [&](std::int64_t done, std::int64_t total) {
    if (done - last_report >= 100000 || done == total) {
      std::cerr << "expo-recount: read " << done << " of " << total << " messages\n";
      last_report = done;
    }
  };
  auto read = kafka::read_ranges(
      options.brokers, *ranges,
      [&](std::span<const kafka::Message> messages) -> Result<void> {
        for (const auto& m : messages) {
          if (!leaderboard::apply_record(recount, m.topic, m.partition, m.offset, m.value)) ++malformed;
        }
        return {};
      },
      read_options);
  if (!read) {
    std::cerr << "expo-recount: " << read.error().message << "\n";
    return 3;
  }
  if (malformed > 0) std::cerr << "expo-recount: " << malformed << " malformed messages skipped (as the boards do)\n";

  const auto tally = recount.tally();
  const auto lines = leaderboard::canonical_lines(tally);
  if (options.lines) {
    for (const auto& line : lines) std::cout << line << "\n";
  }
  const auto hash = leaderboard::audit_hash(tally);
  std::cout << "sha256 " << hash << "\n";
  if (!audit) return 0;
  if (audit->sha256 == hash) {
    std::cout << "match\n";
    return 0;
  }
  std::cout << "MISMATCH (the audit says " << audit->sha256 << ")\n";
  const std::set<std::string> mine(lines.begin(), lines.end()), theirs(audit->lines.begin(), audit->lines.end());
  for (const auto& line : theirs) {
    if (!mine.contains(line)) std::cout << "- " << line << "   (audit only)\n";
  }
  for (const auto& line : mine) {
    if (!theirs.contains(line)) std::cout << "+ " << line << "   (recount only)\n";
  }
  return 1;
}

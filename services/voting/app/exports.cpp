#include "app/exports.hpp"

#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "expo/clock/clock.hpp"
#include "expo/core/log.hpp"
#include "expo/csv/writer.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/votes.hpp"
#include "expo/http/stream_workers.hpp"
#include "expo/kafka/topic_reader.hpp"

namespace expo::voting {
namespace {

std::uint64_t hash_of(std::string_view a, std::string_view b = {}) {
  std::string key;
  key.reserve(a.size() + b.size() + 1);
  key.append(a).push_back('\0');
  key.append(b);
  return std::hash<std::string>{}(key);
}

// Every void read from admin.v1, by the visitor or tablet it targets.
class Voids {
 public:
  void add(events::votes::Voided v) {
    auto& list = v.visitor_id.empty() ? by_device_[v.device_id] : by_visitor_[v.visitor_id];
    list.push_back(std::move(v));
  }

  // The earliest void covering the vote (the visitor's first on equal times), or nullptr.
  const events::votes::Voided* covering(const events::votes::Cast& vote) const {
    const events::votes::Voided* found = nullptr;
    std::int64_t found_at = 0;
    const auto consider = [&](const auto& map, const std::string& id) {
      if (id.empty()) return;
      const auto it = map.find(id);
      if (it == map.end()) return;
      for (const auto& v : it->second) {
        if (!events::votes::voids(v, vote)) continue;
        const auto at = events::votes::instant_ms(v.at);
        if (!found || at < found_at) {
          found = &v;
          found_at = at;
        }
      }
    };
    consider(by_visitor_, vote.visitor_id);
    consider(by_device_, vote.device_id);
    return found;
  }

 private:
  std::unordered_map<std::string, std::vector<events::votes::Voided>> by_visitor_, by_device_;
};

kafka::ReadOptions read_options(http::ChunkWriter& out) {
  return kafka::paced_read_options([&out] { return out.cancelled(); });
}

Error cancelled() { return Error::permanent("cancelled", "the export was cancelled"); }

}  // namespace

std::string votes_csv_header() {
  std::string out;
  csv::append_header(out, {"vote_id", "occurred_at", "local_time", "day", "innovation_id", "innovation_name",
                           "booth_id", "region_id", "region_name", "device_id", "visitor_id", "state", "voided",
                           "void_reason"});
  return out;
}

Result<void> write_votes_csv(const std::string& brokers, const model::Event& event,
                             const std::optional<std::string>& day, http::ChunkWriter& out) {
  const std::string admin_topic(events::topics::admin);
  // One moment for both topics: the voids and votes of the same cut.
  auto ranges = kafka::ranges_to_end(brokers, {admin_topic, std::string(events::topics::votes)}, {},
                                     std::chrono::seconds(10), kafka::paced_reader_properties());
  if (!ranges) return ranges.error();
  std::vector<kafka::PartitionRange> admin_ranges, vote_ranges;
  for (auto& r : *ranges) (r.topic == admin_topic ? admin_ranges : vote_ranges).push_back(std::move(r));

  std::int64_t skipped = 0;
  Voids voids;
  auto read_voids = kafka::read_ranges(
      brokers, admin_ranges,
      [&](std::span<const kafka::Message> messages) -> Result<void> {
        for (const auto& m : messages) {
          auto message = events::votes::read(m.value);
          if (!message) {
            ++skipped;
          } else if (auto* v = std::get_if<events::votes::Voided>(&*message)) {
            voids.add(std::move(*v));
          }
        }
        return {};
      },
      read_options(out));
  if (!read_voids) return read_voids.error();

  std::string rows = std::string(csv::bom) + votes_csv_header();
  std::unordered_set<std::uint64_t> seen_votes, first_votes;
  auto read_votes = kafka::read_ranges(
      brokers, vote_ranges,
      [&](std::span<const kafka::Message> messages) -> Result<void> {
        for (const auto& m : messages) {
          auto message = events::votes::read(m.value);
          if (!message) {
            ++skipped;
            continue;
          }
          const auto* vote = std::get_if<events::votes::Cast>(&*message);
          if (!vote) continue;
          // The ledger's rules, in the ledger's order (per partition, i.e. per visitor, by offset).
          if (!seen_votes.insert(hash_of(vote->vote_id)).second) continue;
          const bool first = first_votes.insert(hash_of(vote->visitor_id, vote->innovation_id)).second;
          if (day && vote->day != *day) continue;
          const auto* void_event = first ? voids.covering(*vote) : nullptr;
          const char* state = !first ? "repeat" : void_event ? "voided" : "counted";
          const auto* innovation = event.find_innovation(vote->innovation_id);
          const auto* region = event.find_region(vote->region_id);
          auto at = clock::parse_rfc3339(vote->at);
          const auto occurred = at ? clock::format_rfc3339(*at, event.utc_offset) : vote->at;
          csv::RowWriter(rows)
              .text(vote->vote_id)
              .text(occurred)
              .text(csv::spreadsheet_time(occurred))
              .text(vote->day)
              .text(vote->innovation_id)
              .text(innovation ? std::string_view(innovation->name) : std::string_view())
              .text(vote->booth_id)
              .text(vote->region_id)
              .text(region ? std::string_view(region->name) : std::string_view())
              .text(vote->device_id)
              .text(vote->visitor_id)
              .text(state)
              .boolean(void_event != nullptr)
              .text(void_event ? std::string_view(void_event->reason) : std::string_view())
              .end();
        }
        if (!out.write(rows)) return cancelled();
        rows.clear();
        return {};
      },
      read_options(out));
  if (!read_votes) return read_votes.error();
  if (!out.write(rows)) return cancelled();
  if (skipped > 0) log::warn("vote export skipped malformed messages", {{"count", std::to_string(skipped)}});
  return {};
}

}  // namespace expo::voting

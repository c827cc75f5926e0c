#include "app/exports.hpp"

#include "expo/clock/clock.hpp"
#include "expo/core/log.hpp"
#include "expo/csv/writer.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/checkins.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/http/stream_workers.hpp"
#include "expo/kafka/topic_reader.hpp"

namespace expo::checkin {

std::string csv_header() {
  std::string out;
  csv::append_header(out, {"checkin_id", "occurred_at", "local_time", "received_at", "day", "booth_id", "booth_name",
                           "region_id", "region_name", "device_id", "visitor_id"});
  return out;
}

Result<void> write_checkins_csv(const std::string& brokers, const model::Event& event,
                                const std::optional<std::string>& day, http::ChunkWriter& out) {
  const std::vector<std::string> topics{std::string(events::topics::checkins)};
  // Before any byte: a broker that does not answer becomes a 503, not a truncated file.
  auto ranges = kafka::ranges_to_end(brokers, topics, {}, std::chrono::seconds(10), kafka::paced_reader_properties());
  if (!ranges) return ranges.error();
  std::string rows = std::string(csv::bom) + csv_header();
  std::int64_t skipped = 0;
  const auto options = kafka::paced_read_options([&out] { return out.cancelled(); });
  auto read = kafka::read_ranges(
      brokers, *ranges,
      [&](std::span<const kafka::Message> messages) -> Result<void> {
        for (const auto& m : messages) {
          auto checkin = events::checkins::read(m.value);
          if (!checkin) {
            ++skipped;  // the projections skip a malformed message too; the count is logged
            continue;
          }
          if (!*checkin || (day && (*checkin)->day != *day)) continue;
          const auto& c = **checkin;
          // The fields checkins::read leaves out (the event's id, the receive time) from the envelope.
          auto envelope = events::decode(m.value);
          if (!envelope) continue;
          const auto* received = envelope->payload.if_contains("received_at");
          const auto* booth = event.find_booth(c.booth_id);
          const auto* region = booth ? event.find_region(booth->region_id) : nullptr;
          auto at = clock::parse_rfc3339(c.at);
          const auto occurred = at ? clock::format_rfc3339(*at, event.utc_offset) : c.at;
          csv::RowWriter(rows)
              .text(envelope->event_id)
              .text(occurred)
              .text(csv::spreadsheet_time(occurred))
              .text(received && received->is_string() ? std::string_view(received->as_string()) : std::string_view())
              .text(c.day)
              .text(c.booth_id)
              .text(booth ? std::string_view(booth->name) : std::string_view())
              .text(booth ? std::string_view(booth->region_id) : std::string_view())
              .text(region ? std::string_view(region->name) : std::string_view())
              .text(c.device_id)
              .text(c.visitor_id)
              .end();
        }
        // One write per batch: the writer cuts 64 KiB chunks and blocks while the client is behind.
        if (!out.write(rows)) return Error::permanent("cancelled", "the export was cancelled");
        rows.clear();
        return {};
      },
      options);
  if (!read) return read.error();
  if (!out.write(rows)) return Error::permanent("cancelled", "the export was cancelled");
  if (skipped > 0) log::warn("check-in export skipped malformed messages", {{"count", std::to_string(skipped)}});
  return {};
}

}  // namespace expo::checkin

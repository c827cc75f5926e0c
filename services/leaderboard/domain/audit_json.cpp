#include "domain/audit_json.hpp"

#include <boost/json/array.hpp>

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"

namespace expo::leaderboard {

boost::json::object audit_json(const Tally& tally) {
  boost::json::array offsets;
  for (const auto& [where, next] : tally.offsets) {
    if (next == 0) continue;
    offsets.push_back(boost::json::object{{"topic", where.topic}, {"partition", where.partition}, {"next_offset", next}});
  }
  boost::json::array innovations;
  for (const auto& [key, v] : tally.innovations) {
    if (v.all_zero()) continue;
    innovations.push_back(boost::json::object{
        {"innovation_id", key.id}, {"day", key.period}, {"votes", v.votes}, {"voided", v.voided}});
  }
  boost::json::array booths;
  for (const auto& [key, v] : tally.booths) {
    if (v.all_zero()) continue;
    booths.push_back(boost::json::object{
        {"booth_id", key.id}, {"day", key.period}, {"checkins", v.checkins}, {"unique_visitors", v.unique_visitors}});
  }
  const auto text = canonical_text(tally);
  boost::json::object out;
  out["format"] = kAuditFormat;
  out["sha256"] = crypto::hex_encode(crypto::sha256(text));  // audit_hash without a second text
  out["offsets"] = std::move(offsets);
  out["innovations"] = std::move(innovations);
  out["booths"] = std::move(booths);
  out["canonical_text"] = text;
  return out;
}

}  // namespace expo::leaderboard

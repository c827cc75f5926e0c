#include "expo/events/votes.hpp"

#include "expo/clock/clock.hpp"
#include "expo/core/json_member.hpp"

namespace expo::events::votes {
namespace {

Error invalid(std::string_view what) { return Error::permanent("event_invalid", std::string(what)); }

}  // namespace

Envelope cast(const Cast& v) {
  auto e = make_envelope("vote_cast", v.at);
  auto& p = e.payload;
  p["vote_id"] = v.vote_id;
  p["visitor_id"] = v.visitor_id;
  p["innovation_id"] = v.innovation_id;
  p["booth_id"] = v.booth_id;
  p["region_id"] = v.region_id;
  p["day"] = v.day;
  p["device_id"] = v.device_id;
  p["client_event_id"] = v.client_event_id;
  return e;
}

Envelope voting_switched(bool open, std::string occurred_at) {
  return make_envelope(open ? "voting_opened" : "voting_closed", std::move(occurred_at));
}

Envelope voided(const Voided& v) {
  auto e = make_envelope("votes_voided", v.at);
  auto& p = e.payload;
  p["void_id"] = v.void_id;
  if (!v.visitor_id.empty()) p["visitor_id"] = v.visitor_id;
  if (!v.device_id.empty()) p["device_id"] = v.device_id;
  p["reason"] = v.reason;
  return e;
}

Result<Message> read(std::string_view value) {
  const ScratchStorage scratch;  // read(envelope) copies what it keeps
  auto event = decode(value, scratch.storage());
  if (!event) return event.error();
  return read(*event);
}

Result<Message> read(const Envelope& event) {
  const auto& p = event.payload;
  if (event.type == "vote_cast") {
    Cast v{string_member(p, "vote_id"),       string_member(p, "visitor_id"), string_member(p, "innovation_id"),
           string_member(p, "booth_id"),      string_member(p, "region_id"),  string_member(p, "day"),
           string_member(p, "device_id"),     string_member(p, "client_event_id"), event.occurred_at};
    if (v.vote_id.empty() || v.visitor_id.empty() || v.innovation_id.empty() || !is_date(v.day)) {
      return invalid("a vote_cast lacks vote_id, visitor_id, innovation_id or a YYYY-MM-DD day");
    }
    // The vote ledger keeps a visitor's vote ids as one space-separated list (vote_ledger/ledger.hpp).
    if (!is_plain_id(v.vote_id)) return invalid("a vote_cast's vote_id is not 1-64 letters, digits or -_.:");
    return Message(std::move(v));
  }
  if (event.type == "voting_opened") return Message(VotingSwitched{true});
  if (event.type == "voting_closed") return Message(VotingSwitched{false});
  if (event.type == "votes_voided") {
    Voided v{string_member(p, "void_id"), string_member(p, "visitor_id"), string_member(p, "device_id"),
             string_member(p, "reason"), event.occurred_at};
    if (v.void_id.empty() || v.visitor_id.empty() == v.device_id.empty()) {
      return invalid("a votes_voided needs a void_id and exactly one of visitor_id and device_id");
    }
    return Message(std::move(v));
  }
  return Message(std::monostate{});
}

std::int64_t instant_ms(std::string_view rfc3339) {
  auto t = clock::parse_rfc3339(rfc3339);
  if (!t) return -1;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

bool voids(const Voided& void_event, const Cast& vote) {
  const bool targets = (!void_event.visitor_id.empty() && void_event.visitor_id == vote.visitor_id) ||
                       (!void_event.device_id.empty() && void_event.device_id == vote.device_id);
  if (!targets) return false;
  const auto voided_at = instant_ms(void_event.at);
  const auto cast_at = instant_ms(vote.at);
  return voided_at >= 0 && cast_at >= 0 && cast_at <= voided_at;
}

}  // namespace expo::events::votes

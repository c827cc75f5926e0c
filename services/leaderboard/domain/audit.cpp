#include "domain/audit.hpp"

#include <algorithm>

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"

namespace expo::leaderboard {
namespace {

bool kept_as_is(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string line(std::string_view kind, std::string_view a, std::string_view b, std::int64_t x, std::int64_t y) {
  std::string out(kind);
  for (auto field : {canonical_field(a), canonical_field(b), std::to_string(x), std::to_string(y)}) {
    out += ' ';
    out += field;
  }
  return out;
}

}  // namespace

std::string canonical_field(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (kept_as_is(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
  }
  return out;
}

std::vector<std::string> canonical_lines(const Tally& tally) {
  std::vector<std::string> lines;
  lines.reserve(tally.offsets.size() + tally.innovations.size() + tally.booths.size());
  for (const auto& [where, next] : tally.offsets) {
    if (next == 0) continue;
    std::string l = "offset " + canonical_field(where.topic) + ' ' + std::to_string(where.partition) + ' ' +
                    std::to_string(next);
    lines.push_back(std::move(l));
  }
  for (const auto& [key, v] : tally.innovations) {
    if (v.all_zero()) continue;
    lines.push_back(line("innovation", key.id, key.period, v.votes, v.voided));
  }
  for (const auto& [key, v] : tally.booths) {
    if (v.all_zero()) continue;
    lines.push_back(line("booth", key.id, key.period, v.checkins, v.unique_visitors));
  }
  // Map order is not byte order of the lines (escaping, numbers as text), so sort the lines
  // themselves. std::string compares as unsigned bytes (char_traits<char>::compare is memcmp-like).
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string canonical_text(const Tally& tally) {
  std::string text;
  for (const auto& l : canonical_lines(tally)) {
    text += l;
    text += '\n';
  }
  return text;
}

std::string audit_hash(const Tally& tally) { return crypto::hex_encode(crypto::sha256(canonical_text(tally))); }

}  // namespace expo::leaderboard

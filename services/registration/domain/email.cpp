#include "domain/email.hpp"

#include <algorithm>

#include "domain/text.hpp"

namespace expo::registration {

namespace {

constexpr std::size_t kMaxAddress = 254, kMaxLocal = 64, kMaxLabel = 63;

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 atext.
bool is_atext(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  constexpr std::string_view kSymbols = "!#$%&'*+-/=?^_`{|}~";
  return kSymbols.find(c) != std::string_view::npos;
}

bool valid_local(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocal) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  return std::all_of(local.begin(), local.end(), [](char c) { return c == '.' || is_atext(c); });
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

bool valid_domain(std::string_view domain) {
  const auto last_dot = domain.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  std::string_view rest = domain;
  while (true) {
    const auto dot = rest.find('.');
    if (!valid_label(rest.substr(0, dot))) return false;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  const std::string_view tld = domain.substr(last_dot + 1);
  return tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), is_alpha);
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view typed) {
  const std::string_view text = trim_unicode_space(typed);
  if (text.empty() || text.size() > kMaxAddress) return std::nullopt;
  const auto at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) return std::nullopt;
  const std::string_view local = text.substr(0, at), domain = text.substr(at + 1);
  if (!valid_local(local) || !valid_domain(domain)) return std::nullopt;

  std::string out(text);
  for (std::size_t i = at + 1; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

}  // namespace expo::registration

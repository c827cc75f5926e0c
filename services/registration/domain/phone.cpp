#include "domain/phone.hpp"

#include "domain/text.hpp"

namespace expo::registration {

namespace {

// Generous for "+62 (0)812-3456-7890" with spaces, but bounds the work done on hostile input.
constexpr std::size_t kMaxTypedLength = 40;

bool is_separator(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Indonesia's national significant number: see phone.hpp for the rules and their reasons.
std::optional<std::string> indonesian(std::string_view nsn) {
  if (nsn.empty()) return std::nullopt;
  const char first = nsn.front();
  if (first == '8') {
    if (nsn.size() < 9 || nsn.size() > 12 || nsn[1] == '0') return std::nullopt;
  } else if ((first >= '2' && first <= '7') || first == '9') {
    if (nsn.size() < 8 || nsn.size() > 11) return std::nullopt;
  } else {
    return std::nullopt;  // 0 (a second trunk prefix), 1 (short codes such as 112)
  }
  return "+62" + std::string(nsn);
}

}  // namespace

std::optional<std::string> normalize_phone(std::string_view typed) {
  const std::string_view text = trim_unicode_space(typed);
  if (text.empty() || text.size() > kMaxTypedLength) return std::nullopt;

  bool plus = false;
  std::string digits;
  for (const char c : text) {
    if (c == '+' && !plus && digits.empty()) {  // also "(+62) 812-..."
      plus = true;
    } else if (is_digit(c)) {
      digits.push_back(c);
    } else if (!is_separator(c)) {
      return std::nullopt;
    }
  }
  if (digits.empty()) return std::nullopt;

  const std::string_view d = digits;
  if (d.starts_with("62")) {
    std::string_view nsn = d.substr(2);
    // "+62 (0)812...", "+620812...": Indonesian NSNs never start with 0, so one 0 here can only be
    // the trunk prefix written by habit.
    if (nsn.starts_with('0')) nsn.remove_prefix(1);
    return indonesian(nsn);
  }
  if (plus) {
    if (d.front() == '0' || d.size() < 8 || d.size() > 15) return std::nullopt;
    return "+" + digits;
  }
  if (d.front() == '0') return indonesian(d.substr(1));
  return std::nullopt;
}

}  // namespace expo::registration

// Prints N valid badge tokens of N new visitors, one per line, signed the way registration signs
// them: the check-in benchmark scans each once, so every scan is a new check-in. With --with-visitor
// each line is "<visitor_id> <token>" (the voting benchmark seeds the visitors' check-ins by id).
//   bench_badge_tokens N EVENT_ID SIGNING_KEYS [--with-visitor]
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "expo/auth/badge.hpp"
#include "expo/auth/ids.hpp"

int main(int argc, char** argv) {
  const bool with_visitor = argc == 5 && std::string_view(argv[4]) == "--with-visitor";
  if (argc != 4 && !with_visitor) {
    std::cerr << "usage: bench_badge_tokens N EVENT_ID SIGNING_KEYS [--with-visitor]\n";
    return 2;
  }
  auto keys = expo::auth::parse_signing_keys(argv[3]);
  if (!keys) {
    std::cerr << keys.error().message << "\n";
    return 2;
  }
  const expo::auth::BadgeSigner signer(*keys, keys->front().id, argv[2]);
  const long n = std::atol(argv[1]);
  for (long i = 0; i < n; ++i) {
    const auto visitor = expo::auth::new_visitor_id();
    if (with_visitor) std::cout << visitor << ' ';
    std::cout << signer.issue(visitor) << '\n';
  }
  return 0;
}

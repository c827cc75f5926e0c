// Prints N valid badge tokens of N new visitors, one per line, signed the way registration signs
// them: the check-in benchmark scans each once, so every scan is a new check-in.
//   bench_badge_tokens N EVENT_ID SIGNING_KEYS
#include <cstdlib>
#include <iostream>

#include "expo/auth/badge.hpp"
#include "expo/auth/ids.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: bench_badge_tokens N EVENT_ID SIGNING_KEYS\n";
    return 2;
  }
  auto keys = expo::auth::parse_signing_keys(argv[3]);
  if (!keys) {
    std::cerr << keys.error().message << "\n";
    return 2;
  }
  const expo::auth::BadgeSigner signer(*keys, keys->front().id, argv[2]);
  const long n = std::atol(argv[1]);
  for (long i = 0; i < n; ++i) std::cout << signer.issue(expo::auth::new_visitor_id()) << '\n';
  return 0;
}

#include "expo/crypto/random.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace expo::crypto {

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(chunk)) != 1) {
      // Not logged through expo::log on purpose: this must reach stderr even before logging is set up,
      // and the process is about to die anyway.
      std::fprintf(stderr, "fatal: OpenSSL RAND_bytes failed (error 0x%lx); refusing to continue without a CSPRNG\n",
                   ERR_get_error());
      std::abort();
    }
    done += chunk;
  }
  return out;
}

}  // namespace expo::crypto

#include "expo/crypto/aead.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

#include "expo/crypto/random.hpp"

namespace expo::crypto {
namespace {

// Fetched once (see hash.cpp); EVP_CIPHER objects are immutable and shareable across threads.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (!c) throw std::runtime_error("OpenSSL: AES-256-GCM is not available");
    return c;
  }();
  return cipher;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s, std::size_t offset) { return reinterpret_cast<unsigned char*>(s.data() + offset); }

void check_key(std::string_view key32) {
  if (key32.size() != kAeadKeySize) {
    throw std::invalid_argument("AES-256-GCM key must be 32 bytes, got " + std::to_string(key32.size()));
  }
}

void check_length(std::string_view s, const char* what) {
  if (s.size() > static_cast<std::size_t>(INT_MAX - 64)) throw std::invalid_argument(std::string(what) + " too large");
}

Error open_failed() {
  return Error::permanent("crypto_open_failed",
                          "sealed data could not be opened: wrong key or associated data, truncated or altered");
}

}  // namespace

std::string new_aead_key() { return random_bytes(kAeadKeySize); }

std::string seal(std::string_view key32, std::string_view plaintext, std::string_view aad) {
  check_key(key32);
  check_length(plaintext, "plaintext");
  check_length(aad, "associated data");
  const std::string nonce = random_bytes(kAeadNonceSize);

  std::string out(kAeadNonceSize + plaintext.size() + kAeadTagSize, '\0');
  out.replace(0, kAeadNonceSize, nonce);
  CipherCtx ctx = new_ctx();
  int len = 0;
  bool ok = EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key32), bytes(nonce), nullptr) == 1;
  // GCM treats an update with a null output as associated data; skip empty inputs so a null
  // string_view never reaches OpenSSL.
  if (ok && !aad.empty()) ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), bytes(out, kAeadNonceSize), &len, bytes(plaintext),
                           static_cast<int>(plaintext.size())) == 1 &&
         static_cast<std::size_t>(len) == plaintext.size();
  }
  if (ok) ok = EVP_EncryptFinal_ex(ctx.get(), bytes(out, kAeadNonceSize + plaintext.size()), &len) == 1 && len == 0;
  if (ok) {
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagSize),
                             bytes(out, kAeadNonceSize + plaintext.size())) == 1;
  }
  if (!ok) throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
  return out;
}

Result<std::string> open(std::string_view key32, std::string_view sealed, std::string_view aad) {
  check_key(key32);
  if (sealed.size() < kAeadOverhead) return open_failed();
  check_length(sealed, "sealed data");
  check_length(aad, "associated data");
  const std::string_view nonce = sealed.substr(0, kAeadNonceSize);
  const std::string_view ciphertext = sealed.substr(kAeadNonceSize, sealed.size() - kAeadOverhead);
  std::string tag(sealed.substr(sealed.size() - kAeadTagSize));  // the ctrl call wants a mutable buffer

  std::string out(ciphertext.size(), '\0');
  CipherCtx ctx = new_ctx();
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key32), bytes(nonce), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM initialisation failed");
  }
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return open_failed();
  }
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), bytes(out, 0), &len, bytes(ciphertext), static_cast<int>(ciphertext.size())) != 1) {
    return open_failed();
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagSize), tag.data()) != 1) {
    return open_failed();
  }
  // The tag is checked here; until it passes, `out` holds unauthenticated bytes and is never returned.
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(out, ciphertext.size()), &len) != 1) return open_failed();
  return out;
}

}  // namespace expo::crypto

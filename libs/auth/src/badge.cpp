#include "expo/auth/badge.hpp"

#include <stdexcept>
#include <utility>

#include "charset.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"

namespace expo::auth {
namespace {

constexpr std::string_view kVersion = "b1";
constexpr std::size_t kTagBytes = 16;     // 128-bit tag
constexpr std::size_t kTagChars = 22;     // base64url of 16 bytes, unpadded
constexpr std::size_t kMaxTokenLength = kVersion.size() + 1 + kMaxKeyIdLength + 1 + kMaxVisitorIdLength + 1 + kTagChars;

Error malformed() { return Error::permanent("invalid_badge", "badge token is malformed"); }
Error unknown_key() { return Error::permanent("invalid_badge", "badge token is signed with an unknown key"); }
Error mismatch() { return Error::permanent("invalid_badge", "badge token signature does not match"); }

// Splits off the text before the next '.', advancing `rest`; false when there is no further '.'.
bool next_part(std::string_view& rest, std::string_view& part) {
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  part = rest.substr(0, dot);
  rest.remove_prefix(dot + 1);
  return true;
}

}  // namespace

bool is_valid_key_id(std::string_view kid) { return detail::is_id(kid, kMaxKeyIdLength); }
bool is_valid_visitor_id(std::string_view visitor_id) { return detail::is_id(visitor_id, kMaxVisitorIdLength); }

BadgeSigner::BadgeSigner(std::vector<SigningKey> keys, std::string current_key_id, std::string event_id)
    : current_key_id_(std::move(current_key_id)), event_id_(std::move(event_id)) {
  if (keys.empty()) throw std::invalid_argument("BadgeSigner: no signing keys");
  for (auto& k : keys) {
    if (!is_valid_key_id(k.id)) throw std::invalid_argument("BadgeSigner: invalid key id");
    if (k.secret.size() < kMinSigningSecretSize) {
      throw std::invalid_argument("BadgeSigner: secret of key '" + k.id + "' is shorter than 32 bytes");
    }
    if (!secrets_.emplace(k.id, std::move(k.secret)).second) {
      throw std::invalid_argument("BadgeSigner: duplicate key id '" + k.id + "'");
    }
  }
  if (!secrets_.contains(current_key_id_)) {
    throw std::invalid_argument("BadgeSigner: current key id is not among the signing keys");
  }
  if (event_id_.empty()) throw std::invalid_argument("BadgeSigner: empty event id");
}

std::string BadgeSigner::tag(const std::string& secret, std::string_view kid, std::string_view visitor_id) const {
  std::string message;
  message.reserve(9 + event_id_.size() + 1 + kid.size() + 1 + visitor_id.size());
  message.append("badge|").append(kVersion).append("|").append(event_id_);
  message.append("|").append(kid).append("|").append(visitor_id);
  return crypto::hmac_sha256(secret, message).substr(0, kTagBytes);
}

std::string BadgeSigner::issue(std::string_view visitor_id) const {
  if (!is_valid_visitor_id(visitor_id)) throw std::invalid_argument("BadgeSigner::issue: invalid visitor id");
  const std::string& secret = secrets_.find(current_key_id_)->second;
  std::string token;
  token.reserve(kMaxTokenLength);
  token.append(kVersion).append(".").append(current_key_id_).append(".").append(visitor_id).append(".");
  token.append(crypto::base64url_encode(tag(secret, current_key_id_, visitor_id)));
  return token;
}

Result<std::string> BadgeSigner::verify(std::string_view token) const {
  if (token.size() > kMaxTokenLength) return malformed();
  std::string_view rest = token;
  std::string_view version, kid, visitor_id;
  if (!next_part(rest, version) || !next_part(rest, kid) || !next_part(rest, visitor_id)) return malformed();
  const std::string_view tag_text = rest;  // no further '.' may follow: the tag alphabet has none
  if (version != kVersion || !is_valid_key_id(kid) || !is_valid_visitor_id(visitor_id) ||
      tag_text.size() != kTagChars) {
    return malformed();
  }
  // Strict decoding makes the text form canonical: 22 characters carry 132 bits, and the 4 spare
  // bits must be zero, so no second spelling of a valid tag exists.
  const auto presented = crypto::base64url_decode(tag_text);
  if (!presented || presented->size() != kTagBytes) return malformed();

  const auto key = secrets_.find(kid);
  if (key == secrets_.end()) return unknown_key();
  if (!crypto::constant_time_equal(tag(key->second, kid, visitor_id), *presented)) return mismatch();
  return std::string(visitor_id);
}

}  // namespace expo::auth

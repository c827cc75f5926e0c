#include <gtest/gtest.h>

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

#include "expo/auth/badge.hpp"
#include "expo/auth/ids.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/crypto/random.hpp"

namespace auth = expo::auth;
namespace crypto = expo::crypto;

namespace {

constexpr const char* kEvent = "jatim-2023";

const std::string& secret1() {
  static const std::string s = crypto::random_bytes(32);
  return s;
}
const std::string& secret2() {
  static const std::string s = crypto::random_bytes(32);
  return s;
}

auth::BadgeSigner signer(std::vector<auth::SigningKey> keys, std::string current, std::string event = kEvent) {
  return auth::BadgeSigner(std::move(keys), std::move(current), std::move(event));
}

auth::BadgeSigner k1_only() { return signer({{"k1", secret1()}}, "k1"); }

std::string rejection(const auth::BadgeSigner& s, std::string_view token) {
  const auto r = s.verify(token);
  EXPECT_FALSE(r.ok()) << "accepted: " << token;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "invalid_badge");
  EXPECT_FALSE(r.error().retryable);
  return r.error().message;
}

const char* const kMalformed = "badge token is malformed";
const char* const kUnknownKey = "badge token is signed with an unknown key";
const char* const kMismatch = "badge token signature does not match";

}  // namespace

TEST(Badge, RoundTrip) {
  const auto s = k1_only();
  const std::string visitor = auth::new_visitor_id();
  const std::string token = s.issue(visitor);
  const auto v = s.verify(token);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, visitor);
  // Another signer built from the same configuration (another service, a tablet) agrees offline.
  const auto elsewhere = k1_only();
  EXPECT_EQ(elsewhere.issue(visitor), token);
  ASSERT_TRUE(elsewhere.verify(token).ok());
}

TEST(Badge, FormatIsDocumentedAndCompact) {
  const auto s = k1_only();
  const std::string visitor = auth::new_visitor_id();
  const std::string token = s.issue(visitor);
  // b1.<kid>.<visitor_id>.<tag>, tag = base64url(first 16 bytes of HMAC-SHA256(secret, message)).
  const std::string tag = crypto::base64url_encode(
      crypto::hmac_sha256(secret1(), std::string("badge|b1|") + kEvent + "|k1|" + visitor).substr(0, 16));
  EXPECT_EQ(token, "b1.k1." + visitor + "." + tag);
  EXPECT_EQ(tag.size(), 22U);
  EXPECT_EQ(token.size(), 50U);
  for (const char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') << c;
  }
}

TEST(Badge, AnySingleChangedByteIsRejected) {
  // Every position, every other byte value: the version, separators, key id, visitor id and tag
  // are all covered by the parse or the MAC.
  const auto s = signer({{"k1", secret1()}, {"k2", secret2()}}, "k1");
  const std::string token = s.issue(auth::new_visitor_id());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      if (static_cast<char>(v) == token[i]) continue;
      std::string t = token;
      t[i] = static_cast<char>(v);
      ASSERT_FALSE(s.verify(t).ok()) << "position " << i << " value " << v << ": " << t;
    }
  }
}

TEST(Badge, EveryPrefixAndExtensionIsRejected) {
  const auto s = k1_only();
  const std::string token = s.issue(auth::new_visitor_id());
  for (std::size_t n = 0; n < token.size(); ++n) {
    EXPECT_FALSE(s.verify(token.substr(0, n)).ok()) << n;
    EXPECT_FALSE(s.verify(token.substr(token.size() - n)).ok()) << "suffix " << n;
  }
  EXPECT_FALSE(s.verify(token + "A").ok());
  EXPECT_FALSE(s.verify(token + ".").ok());
  EXPECT_FALSE(s.verify(token + "\n").ok());
  EXPECT_FALSE(s.verify(" " + token).ok());
}

TEST(Badge, AnotherKeyIdIsRejected) {
  const auto both = signer({{"k1", secret1()}, {"k2", secret2()}}, "k1");
  const std::string visitor = auth::new_visitor_id();
  const std::string token = both.issue(visitor);
  // Same visitor and tag, relabelled as signed by k2: k2's secret does not produce that tag.
  std::string relabelled = token;
  relabelled.replace(3, 2, "k2");
  EXPECT_EQ(rejection(both, relabelled), kMismatch);
  // A key id nobody configured.
  std::string unknown = token;
  unknown.replace(3, 2, "k9");
  EXPECT_EQ(rejection(both, unknown), kUnknownKey);
  // A token from a signer whose k1 has another secret (a forger's own key under our key id).
  const auto forger = signer({{"k1", crypto::random_bytes(32)}}, "k1");
  EXPECT_EQ(rejection(both, forger.issue(visitor)), kMismatch);
}

TEST(Badge, AnotherEventIsRejected) {
  const auto ours = k1_only();
  const auto other_event = signer({{"k1", secret1()}}, "k1", "jatim-2024");
  const std::string visitor = auth::new_visitor_id();
  EXPECT_EQ(rejection(ours, other_event.issue(visitor)), kMismatch);
  EXPECT_EQ(rejection(other_event, ours.issue(visitor)), kMismatch);
}

TEST(Badge, AnotherVisitorsTagIsRejected) {
  const auto s = k1_only();
  const std::string a = s.issue("vaaaaaaaaaaaaaaaaaaaa");
  const std::string b = s.issue("vbbbbbbbbbbbbbbbbbbbb");
  const std::string swapped = a.substr(0, a.rfind('.')) + b.substr(b.rfind('.'));
  EXPECT_EQ(rejection(s, swapped), kMismatch);
}

TEST(Badge, RotationKeepsOldTokensUntilTheKeyIsRemoved) {
  const std::string visitor = auth::new_visitor_id();
  const std::string old_token = k1_only().issue(visitor);
  EXPECT_EQ(old_token.substr(0, 6), "b1.k1.");

  const auto rotated = signer({{"k1", secret1()}, {"k2", secret2()}}, "k2");
  const auto v = rotated.verify(old_token);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, visitor);
  const std::string new_token = rotated.issue(visitor);
  EXPECT_EQ(new_token.substr(0, 6), "b1.k2.");
  EXPECT_TRUE(rotated.verify(new_token).ok());

  const auto retired = signer({{"k2", secret2()}}, "k2");
  EXPECT_EQ(rejection(retired, old_token), kUnknownKey);
  EXPECT_TRUE(retired.verify(new_token).ok());
}

TEST(Badge, MalformedTokensSayOnlyMalformed) {
  const auto s = k1_only();
  const std::string good = s.issue("v0123456789abcdefghjk");
  const std::string tag = good.substr(good.rfind('.') + 1);
  const std::vector<std::string> bad = {
      "",
      "b1",
      "b1...",
      "b2.k1.v0123456789abcdefghjk." + tag,                       // unknown version
      "B1.k1.v0123456789abcdefghjk." + tag,
      "b1..v0123456789abcdefghjk." + tag,                         // empty key id
      "b1.k1.." + tag,                                            // empty visitor id
      "b1.k1.v0123456789abcdefghjk.",                             // empty tag
      "b1.k1.v0123456789abcdefghjk." + tag + "=",                 // padding
      "b1.k1.v0123456789abcdefghjk." + tag.substr(0, 21),         // short tag
      "b1.k1.v01234567.89abcdefghjk." + tag,                      // extra part
      "b1.k1.v0123456789abcdefghj+." + tag,                       // character outside the set
      "b1.k1.v0123456789abcdefghjk|." + tag,
      "b1.k1234567890123456.v0123456789abcdefghjk." + tag,        // key id of 17
      "b1.k1." + std::string(41, 'v') + "." + tag,                // visitor id of 41
      std::string(200, 'x'),
  };
  for (const auto& t : bad) EXPECT_EQ(rejection(s, t), kMalformed) << t;
}

TEST(Badge, NonCanonicalTagSpellingIsRejected) {
  // 22 characters carry 132 bits for a 128-bit tag; the same tag with the spare bits set must fail.
  const auto s = k1_only();
  const std::string token = s.issue(auth::new_visitor_id());
  const char last = token.back();
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const auto idx = alphabet.find(last);
  ASSERT_EQ(idx % 16, 0U) << "a canonical last character has its 4 low bits clear";
  for (std::size_t low = 1; low < 16; ++low) {
    std::string t = token;
    t.back() = alphabet[idx + low];
    EXPECT_EQ(rejection(s, t), kMalformed) << t;
  }
}

TEST(Badge, BoundaryLengthsAreAccepted) {
  const auto s = signer({{"abcdefghijklmnop", secret1()}}, "abcdefghijklmnop");
  const std::string visitor(40, 'Z');
  const std::string token = s.issue(visitor);
  EXPECT_EQ(token.size(), 3U + 16 + 1 + 40 + 1 + 22);
  const auto v = s.verify(token);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, visitor);
  ASSERT_TRUE(s.verify(s.issue("a")).ok());
  ASSERT_TRUE(s.verify(s.issue("A-z_9")).ok());
}

TEST(Badge, IssueRejectsInvalidVisitorIds) {
  const auto s = k1_only();
  for (const std::string& bad : {std::string(), std::string(41, 'v'), std::string("v.1"), std::string("v 1"),
                                std::string("v|1"), std::string("siti@example.id")}) {
    EXPECT_THROW((void)s.issue(bad), std::invalid_argument) << bad;
  }
}

TEST(Badge, ConstructorRejectsBadConfiguration) {
  EXPECT_THROW(signer({}, "k1"), std::invalid_argument);
  EXPECT_THROW(signer({{"k1", secret1()}}, "k2"), std::invalid_argument);
  EXPECT_THROW(signer({{"k1", secret1()}, {"k1", secret2()}}, "k1"), std::invalid_argument);
  EXPECT_THROW(signer({{"k.1", secret1()}}, "k.1"), std::invalid_argument);
  EXPECT_THROW(signer({{"", secret1()}}, ""), std::invalid_argument);
  EXPECT_THROW(signer({{"k1", std::string(31, 's')}}, "k1"), std::invalid_argument);
  EXPECT_THROW(signer({{"k1", secret1()}}, "k1", ""), std::invalid_argument);
  try {
    signer({{"k1", "a-secret-that-is-too-short"}}, "k1");
    FAIL() << "short secret accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("a-secret"), std::string::npos) << e.what();
  }
}

// ---- signing keys from configuration -------------------------------------------------------------

TEST(AuthSigningKeys, ParsesEntries) {
  const std::string s1 = crypto::base64url_encode(secret1());
  const std::string s2 = crypto::base64url_encode(crypto::random_bytes(48));
  const auto keys = auth::parse_signing_keys("k1:" + s1 + ", k2:" + s2 + "\n");
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2U);
  EXPECT_EQ((*keys)[0].id, "k1");
  EXPECT_EQ((*keys)[0].secret, secret1());
  EXPECT_EQ((*keys)[1].id, "k2");
  EXPECT_EQ((*keys)[1].secret.size(), 48U);
  // The parsed keys feed a signer directly.
  const auto s = auth::BadgeSigner(*keys, "k2", kEvent);
  EXPECT_TRUE(s.verify(s.issue("v1")).ok());
}

TEST(AuthSigningKeys, RejectsBadSettingsWithoutEchoingThem) {
  const std::string good = crypto::base64url_encode(secret1());
  const std::string shorter = crypto::base64url_encode(crypto::random_bytes(31));
  const std::string padded = crypto::base64url_encode(crypto::random_bytes(32)) + "=";
  const std::string standard = "+/" + crypto::base64url_encode(crypto::random_bytes(33));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "none configured"},
      {"  \n", "none configured"},
      {good, "entry 1: expected"},                          // secret without a key id
      {"k1:" + good + ",", "entry 2: expected"},            // trailing comma
      {"k1:" + good + ",k1:" + good, "entry 2: duplicate key id"},
      {"k.1:" + good, "entry 1: key id"},
      {":" + good, "entry 1: key id"},
      {"k1234567890123456:" + good, "entry 1: key id"},
      {"k1:" + shorter, "entry 1: secret decodes to fewer than 32 bytes"},
      {"k1:", "entry 1: secret decodes to fewer than 32 bytes"},
      {"k1:" + good + ",k2:" + padded, "entry 2: secret is not unpadded base64url"},
      {"k1:" + standard, "entry 1: secret is not unpadded base64url"},
  };
  for (const auto& [spec, expected] : cases) {
    const auto r = auth::parse_signing_keys(spec);
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_EQ(r.error().code, "invalid_signing_keys");
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
    for (const auto* secret : {&good, &shorter, &padded, &standard}) {
      EXPECT_EQ(r.error().message.find(secret->substr(0, 8)), std::string::npos) << r.error().message;
    }
  }
}

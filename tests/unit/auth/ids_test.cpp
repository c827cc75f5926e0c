#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "expo/auth/device.hpp"
#include "expo/auth/ids.hpp"
#include "expo/auth/lookup_hash.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"

namespace auth = expo::auth;

namespace {

bool all_of_set(std::string_view s, std::string_view set) {
  for (const char c : s) {
    if (set.find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr std::string_view kCrockford = "0123456789abcdefghjkmnpqrstvwxyz";

}  // namespace

// ---- visitor ids ---------------------------------------------------------------------------------

TEST(AuthIds, VisitorIdShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = auth::new_visitor_id();
    ASSERT_EQ(id.size(), 21U) << id;
    ASSERT_EQ(id[0], 'v');
    ASSERT_TRUE(all_of_set(id.substr(1), kCrockford)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000U);
}

// ---- short codes ---------------------------------------------------------------------------------

TEST(ShortCode, AlphabetHasNoAmbiguousCharacters) {
  EXPECT_EQ(auth::kShortCodeAlphabet.size(), 31U);
  for (const char c : std::string_view("01ILO")) {
    EXPECT_EQ(auth::kShortCodeAlphabet.find(c), std::string_view::npos) << c;
  }
  const std::set<char> distinct(auth::kShortCodeAlphabet.begin(), auth::kShortCodeAlphabet.end());
  EXPECT_EQ(distinct.size(), auth::kShortCodeAlphabet.size());
}

TEST(ShortCode, GeneratedCodesAreValidAndUseTheWholeAlphabet) {
  std::map<char, int> counts;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string code = auth::new_short_code();
    ASSERT_EQ(code.size(), 8U) << code;
    ASSERT_TRUE(all_of_set(code, auth::kShortCodeAlphabet)) << code;
    ASSERT_EQ(auth::normalize_short_code(code), std::optional<std::string>(code));
    for (const char c : code) ++counts[c];
    seen.insert(code);
  }
  // 31^8 codes: a collision among 10,000 has probability about 6e-5.
  EXPECT_GE(seen.size(), 9999U);
  // 80,000 characters, about 2,581 expected each; a character below 2,000 would mean a biased draw
  // (binomial sd is about 50, so this cannot fail by chance).
  ASSERT_EQ(counts.size(), 31U);
  for (const auto& [c, n] : counts) EXPECT_GT(n, 2000) << c;
}

TEST(ShortCode, NormalizeAcceptsWhatPeopleType) {
  EXPECT_EQ(auth::normalize_short_code(" ab2c-d3ef "), std::optional<std::string>("AB2CD3EF"));
  EXPECT_EQ(auth::normalize_short_code("AB2C D3EF"), std::optional<std::string>("AB2CD3EF"));
  EXPECT_EQ(auth::normalize_short_code("ab2c--d3ef"), std::optional<std::string>("AB2CD3EF"));
  EXPECT_EQ(auth::normalize_short_code("zzzz9999"), std::optional<std::string>("ZZZZ9999"));
  const std::string code = auth::new_short_code();
  std::string typed;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i == 4) typed += " - ";
    typed += static_cast<char>(std::tolower(static_cast<unsigned char>(code[i])));
  }
  EXPECT_EQ(auth::normalize_short_code(typed), std::optional<std::string>(code)) << typed;
}

TEST(ShortCode, NormalizeRejectsEverythingElse) {
  for (const char* bad : {"", "AB2CD3E", "AB2CD3EFG", "AB2CD3E0", "AB2CD3EO", "AB2CD3E1", "AB2CD3EI",
                          "AB2CD3EL", "ab2cd3el", "AB2C_D3EF", "AB2C.D3EF", "AB2C\tD3EF", "AB2CD3E\xc3\x89",
                          "        ", "--------"}) {
    EXPECT_EQ(auth::normalize_short_code(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(auth::normalize_short_code(std::string(1000, ' ') + "AB2CD3EF"), std::nullopt);
}

// ---- lookup hashes -------------------------------------------------------------------------------

TEST(AuthLookupHash, ShapeAndDefinition) {
  const std::string h = auth::lookup_hash("pepper", "phone", "+6281234567890");
  EXPECT_EQ(h.size(), 32U);
  EXPECT_TRUE(all_of_set(h, "0123456789abcdef"));
  EXPECT_EQ(h, expo::crypto::hex_encode(expo::crypto::hmac_sha256("pepper", "phone\n+6281234567890").substr(0, 16)));
  EXPECT_EQ(h, auth::lookup_hash("pepper", "phone", "+6281234567890"));
  EXPECT_EQ(h.find("6281234567890"), std::string::npos);
}

TEST(AuthLookupHash, DiffersByPurposePepperAndValue) {
  const std::string base = auth::lookup_hash("pepper", "phone", "+6281234567890");
  EXPECT_NE(base, auth::lookup_hash("pepper", "email", "+6281234567890"));
  EXPECT_NE(base, auth::lookup_hash("pepper2", "phone", "+6281234567890"));
  EXPECT_NE(base, auth::lookup_hash("pepper", "phone", "+6281234567891"));
  // The separator keeps purpose and value apart: ("ab", "c") is not ("a", "bc").
  EXPECT_NE(auth::lookup_hash("pepper", "ab", "c"), auth::lookup_hash("pepper", "a", "bc"));
}

TEST(AuthLookupHash, RejectsMisuse) {
  EXPECT_THROW((void)auth::lookup_hash("", "phone", "x"), std::invalid_argument);
  EXPECT_THROW((void)auth::lookup_hash("pepper", "", "x"), std::invalid_argument);
  EXPECT_THROW((void)auth::lookup_hash("pepper", "pho\nne", "x"), std::invalid_argument);
  EXPECT_NO_THROW((void)auth::lookup_hash("pepper", "phone", ""));
}

// ---- device credentials --------------------------------------------------------------------------

TEST(AuthDevice, CredentialShape) {
  std::set<std::string> ids, keys;
  for (int i = 0; i < 1000; ++i) {
    const auto c = auth::new_device_credential();
    ASSERT_EQ(c.device_id.size(), 17U) << c.device_id;
    ASSERT_EQ(c.device_id[0], 'd');
    ASSERT_TRUE(all_of_set(c.device_id.substr(1), kCrockford)) << c.device_id;
    ASSERT_EQ(c.key.size(), 3U + 43U) << c.key;
    ASSERT_EQ(c.key.substr(0, 3), "dk_");
    const auto raw = expo::crypto::base64url_decode(c.key.substr(3));
    ASSERT_TRUE(raw.has_value());
    ASSERT_EQ(raw->size(), 32U);
    ASSERT_EQ(c.key_hash, auth::device_key_hash(c.key));
    ASSERT_EQ(c.key_hash.find(c.key.substr(3)), std::string::npos);
    ids.insert(c.device_id);
    keys.insert(c.key);
  }
  EXPECT_EQ(ids.size(), 1000U);
  EXPECT_EQ(keys.size(), 1000U);
}

TEST(AuthDevice, KeyHashIsHexSha256) {
  // FIPS 180-2 "abc" vector, via the documented definition.
  EXPECT_EQ(auth::device_key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(auth::device_key_hash("dk_a"), auth::device_key_hash("dk_b"));
}

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "expo/crypto/aead.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/crypto/random.hpp"

namespace crypto = expo::crypto;

namespace {

std::string unhex(std::string_view hex) {
  auto b = crypto::hex_decode(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or("");
}

// RFC 4648 section 10 gives vectors for standard base64 with padding; base64url differs only in
// characters 62/63 and in dropping the padding.
std::string rfc_base64_to_url(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

// RFC 4648 section 10 gives "base32hex" vectors; Crockford's alphabet is the same bit grouping with
// other symbols at each index.
std::string rfc_base32hex_to_crockford(std::string s) {
  constexpr std::string_view kHexAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
  constexpr std::string_view kCrockford = "0123456789abcdefghjkmnpqrstvwxyz";
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = kCrockford[kHexAlphabet.find(c)];
  return s;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

}  // namespace

// ---- random --------------------------------------------------------------------------------------

TEST(CryptoRandom, LengthsAndDistinctness) {
  EXPECT_EQ(crypto::random_bytes(0), "");
  EXPECT_EQ(crypto::random_bytes(1).size(), 1U);
  EXPECT_EQ(crypto::random_bytes(1000).size(), 1000U);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(crypto::random_bytes(16));
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(CryptoRandom, EveryByteValueAppears) {
  // 64 KiB of uniform bytes miss a given value with probability (255/256)^65536, about e^-256.
  const std::string r = crypto::random_bytes(65536);
  std::set<unsigned char> values(r.begin(), r.end());
  EXPECT_EQ(values.size(), 256U);
}

TEST(CryptoRandom, ConcurrentCallersGetDistinctBytes) {
  std::mutex m;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> local;
      for (int i = 0; i < 2000; ++i) local.push_back(crypto::random_bytes(16));
      std::lock_guard lock(m);
      seen.insert(local.begin(), local.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 8000U);
}

// ---- base64url -----------------------------------------------------------------------------------

TEST(CryptoBase64Url, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, b64] : vectors) {
    const std::string url = rfc_base64_to_url(b64);
    EXPECT_EQ(crypto::base64url_encode(plain), url) << plain;
    EXPECT_EQ(crypto::base64url_decode(url), std::optional<std::string>(plain)) << url;
  }
}

TEST(CryptoBase64Url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(crypto::base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(crypto::base64url_decode("-_-_"), std::optional<std::string>("\xfb\xff\xbf"));
  EXPECT_EQ(crypto::base64url_encode(std::string(1, '\0')), "AA");
}

TEST(CryptoBase64Url, RoundTripsEveryLengthAndByte) {
  const std::string bytes = all_bytes();
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::string_view in = std::string_view(bytes).substr(bytes.size() - n);
    const std::string text = crypto::base64url_encode(in);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3);
    EXPECT_EQ(crypto::base64url_decode(text), std::optional<std::string>(in));
  }
}

TEST(CryptoBase64Url, DecodeIsStrict) {
  EXPECT_EQ(crypto::base64url_decode("Zg=="), std::nullopt) << "padding";
  EXPECT_EQ(crypto::base64url_decode("Zm8="), std::nullopt) << "padding";
  EXPECT_EQ(crypto::base64url_decode("Zm9v+/"), std::nullopt) << "standard alphabet";
  EXPECT_EQ(crypto::base64url_decode("Zm 9v"), std::nullopt) << "space";
  EXPECT_EQ(crypto::base64url_decode("Zm9v\n"), std::nullopt) << "newline";
  EXPECT_EQ(crypto::base64url_decode(std::string("Zm\0v", 4)), std::nullopt) << "NUL";
  EXPECT_EQ(crypto::base64url_decode("Zm9vY"), std::nullopt) << "length 1 mod 4";
  EXPECT_EQ(crypto::base64url_decode("Z"), std::nullopt) << "length 1";
  EXPECT_EQ(crypto::base64url_decode("\xc3\xa9"), std::nullopt) << "non-ASCII";
}

TEST(CryptoBase64Url, DecodeRejectsNonCanonicalTrailingBits) {
  // "Zg" is "f"; "Zh".."Zv" carry the same byte with non-zero unused bits.
  EXPECT_TRUE(crypto::base64url_decode("Zg").has_value());
  for (const char* alias : {"Zh", "Zi", "Zj", "Zv"}) EXPECT_EQ(crypto::base64url_decode(alias), std::nullopt) << alias;
  // "Zm8" is "fo"; 2 unused bits.
  EXPECT_TRUE(crypto::base64url_decode("Zm8").has_value());
  for (const char* alias : {"Zm9", "Zm-", "Zm_"}) EXPECT_EQ(crypto::base64url_decode(alias), std::nullopt) << alias;
}

// ---- hex -----------------------------------------------------------------------------------------

TEST(CryptoHex, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "66"}, {"fo", "666f"}, {"foo", "666f6f"}, {"foob", "666f6f62"},
      {"fooba", "666f6f6261"}, {"foobar", "666f6f626172"},
  };
  for (const auto& [plain, hex] : vectors) {
    EXPECT_EQ(crypto::hex_encode(plain), hex);
    EXPECT_EQ(crypto::hex_decode(hex), std::optional<std::string>(plain));
  }
}

TEST(CryptoHex, RoundTripsEveryByteAndAcceptsUpperCase) {
  const std::string bytes = all_bytes();
  const std::string hex = crypto::hex_encode(bytes);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  EXPECT_EQ(crypto::hex_decode(hex), std::optional<std::string>(bytes));
  EXPECT_EQ(crypto::hex_decode("DEADbeef"), std::optional<std::string>("\xde\xad\xbe\xef"));
}

TEST(CryptoHex, DecodeIsStrict) {
  EXPECT_EQ(crypto::hex_decode("abc"), std::nullopt);
  EXPECT_EQ(crypto::hex_decode("zz"), std::nullopt);
  EXPECT_EQ(crypto::hex_decode("0x12"), std::nullopt);
  EXPECT_EQ(crypto::hex_decode("12 34"), std::nullopt);
  EXPECT_EQ(crypto::hex_decode("g0"), std::nullopt);
}

// ---- base32 --------------------------------------------------------------------------------------

TEST(CryptoBase32, Rfc4648VectorsInCrockfordAlphabet) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "CO======"},         {"fo", "CPNG===="},           {"foo", "CPNMU==="},
      {"foob", "CPNMUOG="}, {"fooba", "CPNMUOJ1"}, {"foobar", "CPNMUOJ1E8======"},
  };
  for (const auto& [plain, b32hex] : vectors) {
    EXPECT_EQ(crypto::base32_encode(plain), rfc_base32hex_to_crockford(b32hex)) << plain;
  }
  EXPECT_EQ(crypto::base32_encode("foobar"), "csqpyrk1e8");  // the same, spelled out
}

TEST(CryptoBase32, LengthsAndAlphabet) {
  EXPECT_EQ(crypto::base32_encode(std::string(5, '\xff')), "zzzzzzzz");
  EXPECT_EQ(crypto::base32_encode(std::string(5, '\0')), "00000000");
  EXPECT_EQ(crypto::base32_encode(crypto::random_bytes(12)).size(), 20U);  // visitor ids
  EXPECT_EQ(crypto::base32_encode(crypto::random_bytes(10)).size(), 16U);  // device ids
  const std::string text = crypto::base32_encode(all_bytes());
  for (const char c : text) {
    EXPECT_NE(std::string_view("0123456789abcdefghjkmnpqrstvwxyz").find(c), std::string_view::npos) << c;
  }
  std::set<char> used(text.begin(), text.end());
  EXPECT_EQ(used.size(), 32U);
}

// ---- hashes --------------------------------------------------------------------------------------

TEST(CryptoHash, Sha256Vectors) {
  // FIPS 180-2 appendix B.
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(CryptoHash, HmacSha256Rfc4231Vectors) {
  // Test case 1.
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key larger than the block size.
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256(std::string(131, '\xaa'),
                                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoHash, HmacAcceptsEmptyKeyAndMessage) {
  // HMAC-SHA256 with an empty key over an empty message (computed independently, e.g. with Python's hmac).
  EXPECT_EQ(crypto::hex_encode(crypto::hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_NE(crypto::hmac_sha256("k", ""), crypto::hmac_sha256("", ""));
}

TEST(CryptoHash, ConstantTimeEqual) {
  EXPECT_TRUE(crypto::constant_time_equal("", ""));
  EXPECT_TRUE(crypto::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "xbc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "ab"));
  EXPECT_FALSE(crypto::constant_time_equal("", "a"));
  EXPECT_TRUE(crypto::constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(crypto::constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// ---- AES-256-GCM ---------------------------------------------------------------------------------

class CryptoAead : public ::testing::Test {
 protected:
  const std::string key = crypto::new_aead_key();
  const std::string other_key = crypto::new_aead_key();
  const std::string plaintext = "Siti Rahayu|+6281234567890|siti@example.id";
  const std::string aad = "visitor|v3k9x0c8m2q4r7t1b5n6p";

  void expect_rejected(std::string_view k, std::string_view sealed, std::string_view a, const std::string& why) {
    const auto r = crypto::open(k, sealed, a);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.error().code, "crypto_open_failed") << why;
    EXPECT_FALSE(r.error().retryable);
    EXPECT_EQ(r.error().message.find("Siti"), std::string::npos);
  }
};

TEST_F(CryptoAead, RoundTrip) {
  const std::string sealed = crypto::seal(key, plaintext, aad);
  EXPECT_EQ(sealed.size(), plaintext.size() + crypto::kAeadOverhead);
  EXPECT_EQ(sealed.find(plaintext), std::string::npos);
  const auto opened = crypto::open(key, sealed, aad);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, plaintext);
}

TEST_F(CryptoAead, EmptyPlaintextAndAad) {
  for (const auto& [p, a] : {std::pair<std::string, std::string>{"", ""}, {"", "ctx"}, {"x", ""}}) {
    const std::string sealed = crypto::seal(key, p, a);
    EXPECT_EQ(sealed.size(), p.size() + crypto::kAeadOverhead);
    const auto opened = crypto::open(key, sealed, a);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, p);
    expect_rejected(key, sealed, a + "!", "other aad with empty inputs");
  }
}

TEST_F(CryptoAead, NonceIsFreshEachTime) {
  const std::string a = crypto::seal(key, plaintext, aad);
  const std::string b = crypto::seal(key, plaintext, aad);
  EXPECT_NE(a.substr(0, crypto::kAeadNonceSize), b.substr(0, crypto::kAeadNonceSize));
  EXPECT_NE(a, b);
}

TEST_F(CryptoAead, KnownAnswer) {
  // NIST GCM test vector (gcmEncryptExtIV256.rsp, Count 0 with 128-bit PT and AAD): opening a sealed
  // value built from it proves the format is nonce || ciphertext || tag of standard AES-256-GCM.
  const std::string k = unhex("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b");
  const std::string nonce = unhex("ac93a1a6145299bde902f21a");
  const std::string pt = unhex("2d71bcfa914e4ac045b2aa60955fad24");
  const std::string a = unhex("1e0889016f67601c8ebea4943bc23ad6");
  const std::string ct = unhex("8995ae2e6df3dbf96fac7b7137bae67f");
  const std::string tag = unhex("eca5aa77d51d4a0a14d9c51e1da474ab");
  const auto opened = crypto::open(k, nonce + ct + tag, a);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, pt);
}

TEST_F(CryptoAead, EveryFlippedByteIsRejected) {
  const std::string sealed = crypto::seal(key, plaintext, aad);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string t = sealed;
      t[i] = static_cast<char>(static_cast<unsigned char>(t[i]) ^ mask);
      const char* part = i < crypto::kAeadNonceSize                     ? "nonce"
                         : i < sealed.size() - crypto::kAeadTagSize ? "ciphertext"
                                                                    : "tag";
      expect_rejected(key, t, aad, std::string(part) + " byte " + std::to_string(i));
    }
  }
}

TEST_F(CryptoAead, OtherAadOrKeyIsRejected) {
  const std::string sealed = crypto::seal(key, plaintext, aad);
  expect_rejected(key, sealed, "visitor|v0000000000000000000", "other aad");
  expect_rejected(key, sealed, "", "missing aad");
  expect_rejected(key, sealed, aad + "x", "longer aad");
  expect_rejected(other_key, sealed, aad, "other key");
}

TEST_F(CryptoAead, TruncatedOrExtendedIsRejected) {
  const std::string sealed = crypto::seal(key, plaintext, aad);
  for (std::size_t n = 0; n < sealed.size(); ++n) expect_rejected(key, sealed.substr(0, n), aad, "prefix " + std::to_string(n));
  expect_rejected(key, sealed.substr(1), aad, "first byte dropped");
  expect_rejected(key, sealed + '\0', aad, "byte appended");
}

TEST_F(CryptoAead, WrongKeySizeIsAProgrammingError) {
  const std::string sealed = crypto::seal(key, plaintext, aad);
  for (const std::size_t n : {0, 16, 31, 33, 64}) {
    const std::string k(n, 'k');
    EXPECT_THROW((void)crypto::seal(k, plaintext, aad), std::invalid_argument) << n;
    EXPECT_THROW((void)crypto::open(k, sealed, aad), std::invalid_argument) << n;
  }
}

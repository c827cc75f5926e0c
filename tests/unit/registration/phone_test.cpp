#include "domain/phone.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reg = expo::registration;

namespace {

TEST(Phone, TheCommonIndonesianFormsAreOnePhone) {
  // The duplicate-phone check depends on this: one mobile number, typed the ways people type it.
  const std::vector<std::string> forms = {
      "0812-3456-7890",
      "6281234567890",
      "+62 812 3456 7890",
      "0812 3456 7890",
      "(0812) 3456-7890",
      "+62 812-3456-7890",
      "+62 (0)812 3456 7890",
      "+6281234567890",
      "+620812-3456-7890",
      "(+62) 812-3456-7890",
      "0812.3456.7890",
      "081234567890",
      "62 812 3456 7890",
      " 0812-3456-7890\t",
      "\xC2\xA0" "0812-3456-7890" "\xE3\x80\x80",  // U+00A0 and U+3000 around it
  };
  for (const auto& typed : forms) {
    SCOPED_TRACE(typed);
    EXPECT_EQ(reg::normalize_phone(typed), "+6281234567890");
  }
}

TEST(Phone, NormalisesIndonesianAndForeignNumbersToE164) {
  struct Case { std::string typed, e164; };
  const std::vector<Case> cases = {
      {"0811-234-567", "+62811234567"},        // shortest mobile NSN: 9 digits (old 0811 numbers)
      {"0812-3456-78901", "+62812345678901"},  // longest mobile NSN: 12 digits
      {"0857 1234 5678", "+6285712345678"},
      {"0895-1234-5678", "+6289512345678"},
      {"0341 591234", "+62341591234"},         // Malang landline, area code 341
      {"(0341) 591-234", "+62341591234"},
      {"+62 341 591234", "+62341591234"},
      {"021-1234-5678", "+622112345678"},      // Jakarta, area code 21
      {"+62 21 1234 5678", "+622112345678"},
      {"0627 12345", "+6262712345"},           // shortest landline NSN: 8 digits
      {"0911 1234 567", "+629111234567"},      // Ambon, area code 911
      {"+1 (415) 555-2671", "+14155552671"},
      {"+44 20 7946 0958", "+442079460958"},
      {"+60 12-345 6789", "+60123456789"},     // Malaysia
      {"+65 6123 4567", "+6561234567"},        // Singapore: 8 digits in all, the shortest accepted
      {"+852 1234 5678 901", "+85212345678901"},
      {"+123456789012345", "+123456789012345"},  // 15 digits: E.164's maximum
      {"0812" + std::string(28, '-') + "34567890", "+6281234567890"},  // 40 characters of input
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.typed);
    EXPECT_EQ(reg::normalize_phone(c.typed), c.e164);
  }
}

TEST(Phone, RefusesWhatIsNotAPhoneNumber) {
  struct Case { std::string what, typed; };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"spaces", "   "},
      {"plus alone", "+"},
      {"separators only", "-()."},
      {"a word", "telepon"},
      {"letter O for zero", "0812-3456-789O"},
      {"extension", "0812-3456-7890 ext 12"},
      {"slash", "0812/3456/7890"},
      {"fullwidth digits", "\xEF\xBC\x90\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92 3456 7890"},
      {"mobile NSN of 8 digits", "0812 3456 7"},
      {"mobile NSN of 13 digits", "0812-3456-7890-12"},
      {"landline NSN of 7 digits", "0341 5912"},
      {"landline NSN of 12 digits", "0341 5912 3456 7"},
      {"no prefix (ambiguous)", "81234567890"},
      {"starts with 1 (short codes)", "+62 112 3456 78"},
      {"toll-free 0800", "0800 1234 567"},
      {"premium 0809", "0809 1234 5678"},
      {"international prefix 00", "0062 812 3456 7890"},
      {"international prefix 001", "001 62 812 3456 7890"},
      {"two trunk zeros", "+62 00 812 3456 7890"},
      {"country code 0", "+0812 3456 7890"},
      {"second plus", "++62 812 3456 7890"},
      {"plus after digits", "0812+3456+7890"},
      {"foreign, 7 digits", "+1 415 555"},
      {"foreign, 16 digits", "+1234567890123456"},
      {"+62 without a number", "+62"},
      {"non-breaking space inside", "0812\xC2\xA0" "3456 7890"},
      {"41 characters of input", "0812" + std::string(29, '-') + "34567890"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(reg::normalize_phone(c.typed), std::nullopt) << reg::normalize_phone(c.typed).value_or("");
  }
}

}  // namespace

// Salesforce Ids: the 18-character checksum, key prefixes, normalization.
#include "mock_crm/salesforce/salesforce_id.hpp"

#include <gtest/gtest.h>

namespace leadrouter::mock_crm::salesforce {
namespace {

TEST(SalesforceId, ChecksumOfKnownIds) {
  // Worked by hand: each 5-character chunk gives a bit per uppercase letter
  // (first character = bit 0), looked up in A..Z0..5.
  EXPECT_EQ(id_checksum("001000000000000"), "AAA");
  EXPECT_EQ(id_checksum("00QDm0000000001"), "MAA");  // Q (bit 2) + D (bit 3) = 12 → 'M'
}

TEST(SalesforceId, ChecksumBits) {
  // Chunk "AAAAA" sets all five bits: 31 → '5'.
  EXPECT_EQ(id_checksum("AAAAAaaaaa00000"), "5AA");
  // Bit i is the i-th character of the chunk: "a" "B" → bit 1 → 'C'.
  EXPECT_EQ(id_checksum("aBaaabbbbbccccc"), "CAA");
  EXPECT_EQ(id_checksum("00000000000000Z"), "AAQ");  // bit 4 → 16 → 'Q'
}

TEST(SalesforceId, MakeIdHasPrefixLengthAndValidChecksum) {
  for (std::uint64_t n : {1ULL, 61ULL, 62ULL, 3844ULL, 123456789ULL}) {
    std::string id = make_id("00Q", n);
    ASSERT_EQ(id.size(), 18U);
    EXPECT_TRUE(id.starts_with("00Q"));
    EXPECT_EQ(id.substr(15), id_checksum(id.substr(0, 15)));
  }
  EXPECT_NE(make_id("00Q", 1), make_id("00Q", 2));
  EXPECT_LT(make_id("00Q", 9), make_id("00Q", 10));  // creation order sorts by Id
}

TEST(SalesforceId, NormalizeAcceptsFifteenAndEighteen) {
  std::string id = make_id("005", 4242);
  EXPECT_EQ(normalize_id(id.substr(0, 15)), id);
  EXPECT_EQ(normalize_id(id), id);
  std::string lower_suffix = id.substr(0, 15);
  for (char c : id.substr(15)) {
    lower_suffix.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  EXPECT_EQ(normalize_id(lower_suffix), id);
}

TEST(SalesforceId, NormalizeRejectsMalformed) {
  std::string id = make_id("00Q", 7);
  EXPECT_FALSE(normalize_id(""));
  EXPECT_FALSE(normalize_id("00Q123"));
  EXPECT_FALSE(normalize_id(id.substr(0, 17)));
  EXPECT_FALSE(normalize_id(id.substr(0, 15) + "ZZZ"));  // wrong checksum
  EXPECT_FALSE(normalize_id("00Q-Dm0000000001"));
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce

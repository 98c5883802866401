// Precision and recall of lead-to-account matching on a hand-labelled set
// (tests/matching/data): 132 accounts, and leads whose right account (or
// none) a person decided from the names and domains alone. The matcher runs
// with its default options; the thresholds are not tuned per case.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/matching/account_index.hpp"

namespace leadrouter::matching {
namespace {

const std::string kData = std::string(LEADROUTER_SOURCE_DIR) + "/tests/matching/data/";

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string member(const rapidjson::Value& v, const char* name) {
  const auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// Calls f(document, line number) for each line of a JSONL file.
template <typename F>
void for_each_line(const std::string& path, F&& f) {
  std::istringstream lines(read(path));
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) {
      continue;
    }
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    ASSERT_FALSE(doc.HasParseError()) << path << ":" << number;
    ASSERT_TRUE(doc.IsObject()) << path << ":" << number;
    f(doc, number);
  }
}

TEST(MatchingQualityTest, PrecisionAndRecallOnTheLabelledSet) {
  if (!std::filesystem::exists(kDefaultPublicSuffixListPath)) {
    GTEST_SKIP() << kDefaultPublicSuffixListPath << " missing: install the publicsuffix package";
  }
  auto suffixes = PublicSuffixList::load();
  ASSERT_TRUE(suffixes) << suffixes.error().message;
  const std::string free_mail_text =
      read(std::string(LEADROUTER_SOURCE_DIR) + "/data/free-email-domains.txt");
  ASSERT_FALSE(free_mail_text.empty());
  auto free_mail = std::make_shared<const core::FreeMailDomains>(
      core::FreeMailDomains::from_text(free_mail_text));

  AccountIndex index(std::make_shared<const PublicSuffixList>(std::move(*suffixes)), free_mail);
  for_each_line(kData + "accounts.jsonl", [&](const rapidjson::Document& doc, int line) {
    IndexedAccount account{.id = member(doc, "id"),
                           .name = member(doc, "name"),
                           .domain = member(doc, "domain"),
                           .website = member(doc, "website"),
                           .owner_id = member(doc, "owner_id"),
                           .owner_active = doc["owner_active"].GetBool(),
                           .last_activity_at = parse_iso8601(member(doc, "last_activity_at")),
                           .size = doc["size"].GetDouble()};
    const auto added = index.add(std::move(account));
    ASSERT_TRUE(added) << "accounts.jsonl:" << line << ": " << added.error().message;
  });
  ASSERT_EQ(index.size(), 132u);

  int pairs = 0;
  int positives = 0;
  int true_positives = 0;
  int false_positives = 0;
  std::ostringstream misses;
  for_each_line(kData + "labelled_pairs.jsonl", [&](const rapidjson::Document& doc, int line) {
    const rapidjson::Value& l = doc["lead"];
    core::Lead lead;
    lead.email = member(l, "email");
    lead.company = member(l, "company");
    lead.website = member(l, "website");
    const std::string expected = doc["expected"].IsString() ? doc["expected"].GetString() : "";
    const auto match = index.match(lead, core::derive_facts(lead, *free_mail));
    ++pairs;
    positives += expected.empty() ? 0 : 1;
    if (match && match->account_id == expected) {
      ++true_positives;
      EXPECT_GT(match->confidence, 0);
      EXPECT_LE(match->confidence, 1);
      EXPECT_FALSE(match->reason.empty());
      return;
    }
    if (expected.empty() && !match) {
      return;
    }
    if (match) {
      ++false_positives;
    }
    misses << "  line " << line << " (" << member(doc, "case") << "): expected "
           << (expected.empty() ? "none" : expected) << ", got "
           << (match ? match->account_id + " by " + match->reason : "none") << "\n";
  });

  ASSERT_GE(pairs, 200);
  ASSERT_GT(positives, 0);
  const int predicted = true_positives + false_positives;
  const double precision = predicted == 0 ? 0 : static_cast<double>(true_positives) / predicted;
  const double recall = static_cast<double>(true_positives) / positives;
  RecordProperty("pairs", pairs);
  RecordProperty("precision", std::to_string(precision));
  RecordProperty("recall", std::to_string(recall));
  std::cout << "labelled pairs: " << pairs << " (" << positives << " with an account)\n"
            << "precision: " << precision << " (" << true_positives << " of " << predicted
            << " matches right)\n"
            << "recall:    " << recall << " (" << true_positives << " of " << positives
            << " found)\n"
            << "misses:\n"
            << misses.str();
  EXPECT_GE(precision, 0.98);
  EXPECT_GE(recall, 0.90);
}

}  // namespace
}  // namespace leadrouter::matching

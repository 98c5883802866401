#include "sidecar/logging/log.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/logging/utf8.hpp"

namespace leadrouter::sidecar::log {
namespace {

constexpr std::string_view kTs = "2026-11-25T23:40:01.123Z";

TEST(LogFormatTest, JsonLineHasTsLevelEventThenFields) {
  EXPECT_EQ(format_line("json", Level::kInfo, kTs, "lead_decided",
                        {{"connector", "hs"},
                         {"lead", std::string("L1")},
                         {"attempts", 3},
                         {"big", std::int64_t{9007199254740993}},
                         {"latency_ms", 3.25},
                         {"shadow", false}}),
            R"({"ts":"2026-11-25T23:40:01.123Z","level":"info","event":"lead_decided",)"
            R"("connector":"hs","lead":"L1","attempts":3,"big":9007199254740993,)"
            R"("latency_ms":3.25,"shadow":false})");
}

TEST(LogFormatTest, JsonEscapesStrings) {
  std::string line = format_line("json", Level::kError, kTs, "crm_call_failed",
                                 {{"error", "bad \"quote\" \\ back\nnew\ttab\x01"}});
  EXPECT_EQ(line, R"({"ts":"2026-11-25T23:40:01.123Z","level":"error","event":"crm_call_failed",)"
                  R"("error":"bad \"quote\" \\ back\nnew\ttab\u0001"})");
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["error"].GetString(), "bad \"quote\" \\ back\nnew\ttab\x01");
}

TEST(LogFormatTest, JsonKeepsFixedKeysUnambiguousAndNonFiniteNumbersValid) {
  std::string line = format_line("json", Level::kWarn, kTs, "e",
                                 {{"level", "x"}, {"ratio", std::nan("")}, {"event", 1}});
  EXPECT_EQ(line, R"({"ts":"2026-11-25T23:40:01.123Z","level":"warn","event":"e",)"
                  R"("level_":"x","ratio":"NaN","event_":1})");
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  EXPECT_FALSE(doc.HasParseError());
}

TEST(LogFormatTest, JsonReplacesInvalidUtf8) {
  std::string line = format_line("json", Level::kInfo, kTs, "e", {{"path", "/a\xff\xc3("}});
  EXPECT_EQ(line, R"({"ts":"2026-11-25T23:40:01.123Z","level":"info","event":"e",)"
                  "\"path\":\"/a\xEF\xBF\xBD\xEF\xBF\xBD(\"}");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str());
  EXPECT_FALSE(doc.HasParseError());
}

TEST(Utf8Test, KeepsValidTextAndReplacesEveryBadByte) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € 😀
  EXPECT_EQ(valid_utf8("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(valid_utf8("a\x80"
                       "b"),
            "a" + r + "b");                                  // stray continuation byte
  EXPECT_EQ(valid_utf8("\xc0\xaf"), r + r);                  // overlong '/'
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), r + r + r);          // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8("\xf4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(valid_utf8("ok\xe2\x82"), "ok" + r + r);         // cut short
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(LogFormatTest, EveryLevelHasItsName) {
  std::vector<std::string> names;
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    rapidjson::Document doc;
    doc.Parse(format_line("json", l, kTs, "e", {}).c_str());
    names.emplace_back(doc["level"].GetString());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"trace", "debug", "info", "warn", "error"}));
}

TEST(LogFormatTest, TextLineIsLogfmt) {
  EXPECT_EQ(format_line("text", Level::kInfo, kTs, "lead_decided",
                        {{"connector", "hs"}, {"attempts", 3}, {"latency_ms", 3.25}, {"ok", true}}),
            "2026-11-25T23:40:01.123Z info lead_decided connector=hs attempts=3 latency_ms=3.25 "
            "ok=true");
  EXPECT_EQ(format_line("text", Level::kWarn, kTs, "e",
                        {{"msg", "two words"}, {"empty", ""}, {"q", "a\"b\\c\nd"}, {"eq", "a=b"}}),
            "2026-11-25T23:40:01.123Z warn e msg=\"two words\" empty=\"\" q=\"a\\\"b\\\\c\\nd\" "
            "eq=\"a=b\"");
}

TEST(LogFormatTest, UnknownFormatFallsBackToJson) {
  EXPECT_EQ(format_line("xml", Level::kInfo, kTs, "e", {}),
            R"({"ts":"2026-11-25T23:40:01.123Z","level":"info","event":"e"})");
}

TEST(MaskEmailTest, KeepsTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(mask_email("ada@acme.example"), "a***@acme.example");
  EXPECT_EQ(mask_email("a@b.c"), "a***@b.c");
  EXPECT_EQ(mask_email("@b.c"), "***@b.c");
  EXPECT_EQ(mask_email("not an email"), "***");
  EXPECT_EQ(mask_email(""), "***");
  EXPECT_EQ(mask_email("\"odd@local\"@x.example"), "\"***@x.example");
  EXPECT_EQ(mask_email("\xc3\xa9mile@x.fr"), "\xc3\xa9***@x.fr");  // é stays whole
}

TEST(LogInitTest, RejectsUnknownLevelsAndFormats) {
  EXPECT_FALSE(init("loud", "json"));
  EXPECT_FALSE(init("info", "xml"));
  EXPECT_FALSE(init("INFO", "json"));
  EXPECT_TRUE(init("info", "json"));
  EXPECT_TRUE(init("debug", "text"));  // a reload
  EXPECT_TRUE(init("info", "json"));
}

// Captures what is written to file descriptor 2 while alive.
class StderrCapture {
 public:
  StderrCapture() {
    path_ = std::filesystem::temp_directory_path() /
            ("leadrouter_log_test_" + std::to_string(::getpid()) + ".txt");
    std::fflush(stderr);
    saved_ = ::dup(2);
    FILE* f = std::fopen(path_.c_str(), "w");
    ::dup2(::fileno(f), 2);
    std::fclose(f);
  }
  ~StderrCapture() {
    restore();
    std::filesystem::remove(path_);
  }
  std::string text() {
    restore();
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
  }
  std::filesystem::path path_;
  int saved_ = -1;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    out.push_back(line);
  }
  return out;
}

TEST(LogWriteTest, WritesOneJsonObjectPerLineAndFiltersByLevel) {
  ASSERT_TRUE(init("info", "json"));
  StderrCapture capture;
  debug("hidden", {{"x", 1}});
  info("lead_decided", {{"connector", "hs"}, {"email", mask_email("ada@acme.example")}});
  error("broken", {{"why", "a\nb"}});
  auto lines = lines_of(capture.text());
  ASSERT_EQ(lines.size(), 2u);
  rapidjson::Document doc;
  doc.Parse(lines[0].c_str());
  ASSERT_FALSE(doc.HasParseError()) << lines[0];
  EXPECT_STREQ(doc["level"].GetString(), "info");
  EXPECT_STREQ(doc["event"].GetString(), "lead_decided");
  EXPECT_STREQ(doc["email"].GetString(), "a***@acme.example");
  std::string ts = doc["ts"].GetString();
  ASSERT_EQ(ts.size(), kTs.size()) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
  doc.Parse(lines[1].c_str());
  ASSERT_FALSE(doc.HasParseError()) << lines[1];
  EXPECT_STREQ(doc["why"].GetString(), "a\nb");
}

TEST(LogWriteTest, TextFormatAndReloadedLevel) {
  ASSERT_TRUE(init("debug", "text"));
  StderrCapture capture;
  debug("shown", {{"x", 1}});
  ASSERT_FALSE(init("nope", "json"));  // the previous setup stays
  debug("still_shown");
  auto lines = lines_of(capture.text());
  ASSERT_TRUE(init("info", "json"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(" debug shown x=1"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(" debug still_shown"), std::string::npos) << lines[1];
}

TEST(LogWriteTest, PlainSpdlogLinesGetTheSameShape) {
  ASSERT_TRUE(init("info", "json"));
  StderrCapture capture;
  spdlog::warn("event=crm_call_failed what=\"search contacts\" kind=retryable status=503");
  spdlog::info("free text, no fields");
  spdlog::debug("below the level");
  auto lines = lines_of(capture.text());
  ASSERT_EQ(lines.size(), 2u);
  rapidjson::Document doc;
  doc.Parse(lines[0].c_str());
  ASSERT_FALSE(doc.HasParseError()) << lines[0];
  EXPECT_STREQ(doc["level"].GetString(), "warn");
  EXPECT_STREQ(doc["event"].GetString(), "crm_call_failed");
  EXPECT_STREQ(doc["what"].GetString(), "search contacts");
  EXPECT_STREQ(doc["status"].GetString(), "503");
  doc.Parse(lines[1].c_str());
  ASSERT_FALSE(doc.HasParseError()) << lines[1];
  EXPECT_STREQ(doc["event"].GetString(), "log");
  EXPECT_STREQ(doc["message"].GetString(), "free text, no fields");
}

TEST(LogWriteTest, ConcurrentWritersNeverInterleaveLines) {
  ASSERT_TRUE(init("info", "json"));
  StderrCapture capture;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        info("tick", {{"thread", t}, {"i", i}, {"pad", std::string(200, 'x')}});
        if (i % 50 == 0) {
          spdlog::info("event=foreign n={}", i);
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  auto lines = lines_of(capture.text());
  ASSERT_EQ(lines.size(), 4u * 200 + 4u * 4);
  for (const auto& line : lines) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    ASSERT_FALSE(doc.HasParseError()) << line;
  }
}

}  // namespace
}  // namespace leadrouter::sidecar::log

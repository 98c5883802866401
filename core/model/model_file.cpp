#include "core/model/model_file.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <array>
#include <cstdint>

namespace leadrouter::model {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

rapidjson::Value str(std::string_view s, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

Error bad_file(std::string_view where, std::string_view reason) {
  return Error::invalid_input(fmt::format("model file {}: {}", where, reason));
}

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
        static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> lookup{};
  lookup.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    lookup[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t n = 0;
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++padding;
        n <<= 6;
        continue;
      }
      const int v = lookup[static_cast<unsigned char>(c)];
      if (v < 0 || padding > 0) {
        return std::nullopt;
      }
      n = (n << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    if (padding < 2) {
      out.push_back(static_cast<char>((n >> 8) & 0xFF));
    }
    if (padding < 1) {
      out.push_back(static_cast<char>(n & 0xFF));
    }
  }
  return out;
}

std::string model_version(std::string_view label, Timestamp trained_at,
                          std::string_view booster_bytes) {
  const auto day = date::floor<date::days>(trained_at);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> hms{trained_at - day};
  return fmt::format("{}-{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:08x}", label,
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count(), fnv1a(booster_bytes) & 0xFFFFFFFFull);
}

std::optional<double> ModelFile::metric(std::string_view name) const {
  for (const auto& [key, value] : metrics) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

std::string ModelFile::serialize() const {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  doc.AddMember("format", str(kFormat, alloc), alloc);
  doc.AddMember("format_version", kFormatVersion, alloc);
  doc.AddMember("version", str(version, alloc), alloc);
  doc.AddMember("trained_at", str(format_iso8601(trained_at), alloc), alloc);
  doc.AddMember("label", str(label, alloc), alloc);
  doc.AddMember("positive", str(positive, alloc), alloc);
  rapidjson::Value m(rapidjson::kObjectType);
  for (const auto& [key, value] : metrics) {
    m.AddMember(str(key, alloc), rapidjson::Value(value), alloc);
  }
  doc.AddMember("metrics", m, alloc);
  doc.AddMember("spec", spec.to_value(alloc), alloc);
  doc.AddMember("booster_format", str(booster_format, alloc), alloc);
  doc.AddMember("booster_base64", str(base64_encode(booster_bytes), alloc), alloc);
  if (profile) {
    doc.AddMember("training_profile", profile->to_value(alloc), alloc);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  // Keeps the file diffable without writing the booster blob over many lines.
  writer.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::expected<ModelFile, Error> ModelFile::parse(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::unexpected(bad_file(fmt::format("offset {}", doc.GetErrorOffset()),
                                    rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return std::unexpected(bad_file("/", "must be a JSON object"));
  }
  auto get_string = [&](const char* key) -> std::expected<std::string, Error> {
    const auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) {
      return std::unexpected(bad_file(fmt::format("/{}", key), "required string"));
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  const auto format = get_string("format");
  if (!format) {
    return std::unexpected(format.error());
  }
  if (*format != kFormat) {
    return std::unexpected(bad_file("/format", fmt::format("'{}' is not '{}'", *format, kFormat)));
  }
  const auto fv = doc.FindMember("format_version");
  if (fv == doc.MemberEnd() || !fv->value.IsInt() || fv->value.GetInt() != kFormatVersion) {
    return std::unexpected(bad_file("/format_version", fmt::format("must be {}", kFormatVersion)));
  }
  ModelFile file;
  for (auto [key, target] :
       {std::pair{"version", &file.version}, std::pair{"label", &file.label},
        std::pair{"positive", &file.positive}, std::pair{"booster_format", &file.booster_format}}) {
    auto value = get_string(key);
    if (!value) {
      return std::unexpected(value.error());
    }
    *target = std::move(*value);
  }
  if (file.booster_format != "json" && file.booster_format != "ubj") {
    return std::unexpected(bad_file("/booster_format", "must be json or ubj"));
  }
  const auto trained = get_string("trained_at");
  if (!trained) {
    return std::unexpected(trained.error());
  }
  const auto trained_at = parse_iso8601(*trained);
  if (!trained_at) {
    return std::unexpected(bad_file("/trained_at", "not an ISO 8601 time"));
  }
  file.trained_at = *trained_at;
  const auto metrics = doc.FindMember("metrics");
  if (metrics == doc.MemberEnd() || !metrics->value.IsObject()) {
    return std::unexpected(bad_file("/metrics", "required object"));
  }
  for (auto it = metrics->value.MemberBegin(); it != metrics->value.MemberEnd(); ++it) {
    if (!it->value.IsNumber()) {
      return std::unexpected(
          bad_file(fmt::format("/metrics/{}", it->name.GetString()), "must be a number"));
    }
    file.metrics.emplace_back(it->name.GetString(), it->value.GetDouble());
  }
  const auto spec = doc.FindMember("spec");
  if (spec == doc.MemberEnd()) {
    return std::unexpected(bad_file("/spec", "required object"));
  }
  auto parsed_spec = FeatureSpec::from_value(spec->value);
  if (!parsed_spec) {
    std::string reasons;
    for (const auto& e : parsed_spec.error()) {
      reasons += fmt::format("\n  /spec{}: {}", e.path, e.reason);
    }
    return std::unexpected(
        Error::invalid_input("model file has an invalid feature spec:" + reasons));
  }
  file.spec = std::move(*parsed_spec);
  const auto blob = get_string("booster_base64");
  if (!blob) {
    return std::unexpected(blob.error());
  }
  auto bytes = base64_decode(*blob);
  if (!bytes || bytes->empty()) {
    return std::unexpected(bad_file("/booster_base64", "not valid base64"));
  }
  file.booster_bytes = std::move(*bytes);
  if (const auto p = doc.FindMember("training_profile"); p != doc.MemberEnd()) {
    auto profile = TrainingProfile::from_value(p->value);
    if (!profile) {
      return std::unexpected(profile.error());
    }
    file.profile = std::move(*profile);
  }
  return file;
}

}  // namespace leadrouter::model

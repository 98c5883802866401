#include "core/segment_key.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <variant>

#include "core/text.hpp"

namespace leadrouter::core {

SegmentKeyer::SegmentKeyer(const std::vector<SegmentDimension>& dimensions) {
  for (const SegmentDimension& dim : dimensions) {
    Dimension d{dim.field, dim.field + "=", dim.bands, {}};
    std::sort(d.bands.begin(), d.bands.end());
    if (!d.bands.empty()) {
      d.labels.push_back(fmt::format("<{:g}", d.bands.front()));
      for (std::size_t i = 1; i < d.bands.size(); ++i) {
        d.labels.push_back(fmt::format("{:g}-{:g}", d.bands[i - 1], d.bands[i]));
      }
      d.labels.push_back(fmt::format("{:g}+", d.bands.back()));
    }
    dimensions_.push_back(std::move(d));
  }
}

std::string SegmentKeyer::key(const FieldContext& ctx) const {
  std::string key;
  for (const Dimension& dim : dimensions_) {
    if (!key.empty()) {
      key += '|';
    }
    key += dim.prefix;
    const std::optional<FieldValue> value = field_value(ctx, dim.field);
    if (!value) {
      key += "unknown";
    } else if (const bool* b = std::get_if<bool>(&*value)) {
      key += *b ? "true" : "false";
    } else if (const double* number = std::get_if<double>(&*value)) {
      if (dim.bands.empty()) {
        fmt::format_to(std::back_inserter(key), "{:g}", *number);
      } else {
        const auto upper = std::upper_bound(dim.bands.begin(), dim.bands.end(), *number);
        key += dim.labels[static_cast<std::size_t>(upper - dim.bands.begin())];
      }
    } else {
      key += ascii_lower(std::get<std::string>(*value));
    }
  }
  return key;
}

std::string segment_key(const std::vector<SegmentDimension>& dimensions, const FieldContext& ctx) {
  return SegmentKeyer(dimensions).key(ctx);
}

}  // namespace leadrouter::core

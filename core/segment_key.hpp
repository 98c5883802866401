// The track-record key of a lead: the policy's segment dimensions joined into
// one string, e.g. "industry=software|employees=50-500". Best-match looks up
// each rep's conversion history under this key.
//
//   SegmentKeyer keyer(policy.segments);   // once per policy
//   std::string key = keyer.key(ctx);      // per lead
#pragma once

#include <string>
#include <vector>

#include "core/field_value.hpp"
#include "core/policy.hpp"

namespace leadrouter::core {

// Numeric dimensions with bands use the band's label ("<10", "10-50",
// "500+"); other values are lower-cased; a missing value reads "unknown".
// No dimensions: "" (one segment for everything).
class SegmentKeyer {
 public:
  explicit SegmentKeyer(const std::vector<SegmentDimension>& dimensions);
  std::string key(const FieldContext& ctx) const;

 private:
  struct Dimension {
    std::string field;
    std::string prefix;               // "field="
    std::vector<double> bands;        // ascending edges
    std::vector<std::string> labels;  // bands.size() + 1 labels, built once
  };
  std::vector<Dimension> dimensions_;
};

std::string segment_key(const std::vector<SegmentDimension>& dimensions, const FieldContext& ctx);

}  // namespace leadrouter::core

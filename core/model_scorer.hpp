// The hook through which a conversion model scores leads inside the router.
// core/ defines the interface; the XGBoost implementation lives in model/.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"

namespace leadrouter::core {

// One factor behind a model score: "Lead Source = Reference" pushed the
// log-odds up by 0.8.
struct ModelFactor {
  std::string feature;      // readable name, e.g. "Lead Source"
  std::string value;        // readable value, e.g. "Reference"
  double contribution = 0;  // log-odds contribution (SHAP value)
};

struct ModelScore {
  double probability = 0;  // 0..1
  std::string model_version;
  std::vector<ModelFactor> top_positive;  // largest first
  std::vector<ModelFactor> top_negative;  // most negative first
};

class ModelScorer {
 public:
  virtual ~ModelScorer() = default;
  // Must be thread-safe and deterministic: same lead, same score.
  virtual std::expected<ModelScore, Error> score(const Lead& lead, const LeadFacts& facts,
                                                 const Enrichment& enrichment,
                                                 Timestamp now) const = 0;
};

}  // namespace leadrouter::core

// RAII owner of an XGBoost BoosterHandle with the calls leadrouter uses:
// training one round, evaluating, slicing to the best round, prediction
// (probability, margin, SHAP contributions) and (de)serialization. Every
// XGBoost return code becomes an Error value.
//
// A Booster is not safe to use from several threads at once: XGBoost does not
// promise that prediction on one handle is reentrant. Callers serialize access.
#pragma once

#include <xgboost/c_api.h>

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/model/dmatrix.hpp"

namespace leadrouter::model {

enum class PredictionType {
  kProbability = 0,
  kMargin = 1,
  kContributions = 2,  // per row: one SHAP value per input column, then the bias
};

class Booster {
 public:
  // `cache`: matrices used while training (XGBoost keeps their predictions).
  static std::expected<Booster, Error> create(std::span<const DMatrixHandle> cache);
  // Bytes produced by save() in either format.
  static std::expected<Booster, Error> load(std::string_view bytes);

  Booster(Booster&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster();

  std::expected<void, Error> set_param(const char* name, const std::string& value);
  std::expected<void, Error> update_one_iter(int iteration, const DMatrix& train);
  // XGBoost's evaluation line, e.g. "[3]\tvalidation-auc:0.781".
  std::expected<std::string, Error> eval_one_iter(int iteration, const DMatrix& data,
                                                  const char* name);
  std::expected<int, Error> boosted_rounds() const;
  // A booster holding rounds [begin, end).
  std::expected<Booster, Error> slice(int begin, int end) const;

  // format: "json" or "ubj".
  std::expected<std::string, Error> save(std::string_view format) const;

  // Row-major output: rows values, or rows x (columns + 1) for contributions.
  std::expected<std::vector<float>, Error> predict(const DMatrix& data, PredictionType type) const;

 private:
  explicit Booster(BoosterHandle handle) : handle_(handle) {}
  BoosterHandle handle_ = nullptr;
};

}  // namespace leadrouter::model

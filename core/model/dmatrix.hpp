// RAII owner of an XGBoost DMatrixHandle, and the helper that turns an XGBoost
// return code into an Error carrying XGBGetLastError().
//
//   auto m = DMatrix::from_dense(values, rows, cols);
//   if (!m) { return std::unexpected(m.error()); }
//   if (auto ok = m->set_labels(labels); !ok) { ... }
#pragma once

#include <xgboost/c_api.h>

#include <cstddef>
#include <expected>
#include <span>
#include <string_view>

#include "core/error.hpp"

namespace leadrouter::model {

// Ok when rc == 0; otherwise an internal error "<what>: <XGBoost message>".
std::expected<void, Error> check_xgboost(int rc, std::string_view what);

class DMatrix {
 public:
  // Row-major `rows` x `cols` floats; NaN marks a missing value.
  static std::expected<DMatrix, Error> from_dense(std::span<const float> values, std::size_t rows,
                                                  std::size_t cols);

  DMatrix(DMatrix&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix();

  std::expected<void, Error> set_labels(std::span<const float> labels);
  DMatrixHandle get() const { return handle_; }

 private:
  explicit DMatrix(DMatrixHandle handle) : handle_(handle) {}
  DMatrixHandle handle_ = nullptr;
};

}  // namespace leadrouter::model

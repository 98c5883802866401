#include "core/model/dmatrix.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace leadrouter::model {

std::expected<void, Error> check_xgboost(int rc, std::string_view what) {
  if (rc == 0) {
    return {};
  }
  const char* message = XGBGetLastError();
  return std::unexpected(
      Error::internal(fmt::format("{}: {}", what, message != nullptr ? message : "unknown error")));
}

std::expected<DMatrix, Error> DMatrix::from_dense(std::span<const float> values, std::size_t rows,
                                                  std::size_t cols) {
  if (values.size() != rows * cols) {
    return std::unexpected(Error::internal(fmt::format(
        "DMatrix::from_dense: {} values for a {} x {} matrix", values.size(), rows, cols)));
  }
  DMatrixHandle handle = nullptr;
  if (auto ok =
          check_xgboost(XGDMatrixCreateFromMat(values.data(), rows, cols,
                                               std::numeric_limits<float>::quiet_NaN(), &handle),
                        "XGDMatrixCreateFromMat");
      !ok) {
    return std::unexpected(ok.error());
  }
  return DMatrix(handle);
}

DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) {
      XGDMatrixFree(handle_);
    }
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

DMatrix::~DMatrix() {
  if (handle_ != nullptr) {
    XGDMatrixFree(handle_);
  }
}

std::expected<void, Error> DMatrix::set_labels(std::span<const float> labels) {
  return check_xgboost(
      XGDMatrixSetFloatInfo(handle_, "label", labels.data(), static_cast<bst_ulong>(labels.size())),
      "XGDMatrixSetFloatInfo(label)");
}

}  // namespace leadrouter::model

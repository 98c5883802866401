#include "core/model/booster.hpp"

#include <fmt/format.h>

namespace leadrouter::model {

std::expected<Booster, Error> Booster::create(std::span<const DMatrixHandle> cache) {
  BoosterHandle handle = nullptr;
  if (auto ok = check_xgboost(
          XGBoosterCreate(cache.data(), static_cast<bst_ulong>(cache.size()), &handle),
          "XGBoosterCreate");
      !ok) {
    return std::unexpected(ok.error());
  }
  return Booster(handle);
}

std::expected<Booster, Error> Booster::load(std::string_view bytes) {
  auto booster = create({});
  if (!booster) {
    return booster;
  }
  if (auto ok = check_xgboost(XGBoosterLoadModelFromBuffer(booster->handle_, bytes.data(),
                                                           static_cast<bst_ulong>(bytes.size())),
                              "XGBoosterLoadModelFromBuffer");
      !ok) {
    return std::unexpected(ok.error());
  }
  return booster;
}

Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) {
      XGBoosterFree(handle_);
    }
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

Booster::~Booster() {
  if (handle_ != nullptr) {
    XGBoosterFree(handle_);
  }
}

std::expected<void, Error> Booster::set_param(const char* name, const std::string& value) {
  return check_xgboost(XGBoosterSetParam(handle_, name, value.c_str()),
                       fmt::format("XGBoosterSetParam({}={})", name, value));
}

std::expected<void, Error> Booster::update_one_iter(int iteration, const DMatrix& train) {
  return check_xgboost(XGBoosterUpdateOneIter(handle_, iteration, train.get()),
                       "XGBoosterUpdateOneIter");
}

std::expected<std::string, Error> Booster::eval_one_iter(int iteration, const DMatrix& data,
                                                         const char* name) {
  DMatrixHandle handles[] = {data.get()};
  const char* names[] = {name};
  const char* out = nullptr;
  if (auto ok = check_xgboost(XGBoosterEvalOneIter(handle_, iteration, handles, names, 1, &out),
                              "XGBoosterEvalOneIter");
      !ok) {
    return std::unexpected(ok.error());
  }
  return std::string(out);
}

std::expected<int, Error> Booster::boosted_rounds() const {
  int rounds = 0;
  if (auto ok = check_xgboost(XGBoosterBoostedRounds(handle_, &rounds), "XGBoosterBoostedRounds");
      !ok) {
    return std::unexpected(ok.error());
  }
  return rounds;
}

std::expected<Booster, Error> Booster::slice(int begin, int end) const {
  BoosterHandle out = nullptr;
  if (auto ok = check_xgboost(XGBoosterSlice(handle_, begin, end, 1, &out), "XGBoosterSlice");
      !ok) {
    return std::unexpected(ok.error());
  }
  return Booster(out);
}

std::expected<std::string, Error> Booster::save(std::string_view format) const {
  if (format != "json" && format != "ubj") {
    return std::unexpected(
        Error::invalid_input(fmt::format("model format '{}' is not one of json, ubj", format)));
  }
  const std::string config = fmt::format(R"({{"format":"{}"}})", format);
  bst_ulong length = 0;
  const char* data = nullptr;
  if (auto ok = check_xgboost(XGBoosterSaveModelToBuffer(handle_, config.c_str(), &length, &data),
                              "XGBoosterSaveModelToBuffer");
      !ok) {
    return std::unexpected(ok.error());
  }
  return std::string(data, static_cast<std::size_t>(length));
}

std::expected<std::vector<float>, Error> Booster::predict(const DMatrix& data,
                                                          PredictionType type) const {
  const std::string config = fmt::format(
      R"({{"type":{},"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false}})",
      static_cast<int>(type));
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (auto ok = check_xgboost(
          XGBoosterPredictFromDMatrix(handle_, data.get(), config.c_str(), &shape, &dims, &result),
          "XGBoosterPredictFromDMatrix");
      !ok) {
    return std::unexpected(ok.error());
  }
  std::size_t total = 1;
  for (bst_ulong d = 0; d < dims; ++d) {
    total *= static_cast<std::size_t>(shape[d]);
  }
  return std::vector<float>(result, result + total);
}

}  // namespace leadrouter::model

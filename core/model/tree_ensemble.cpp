#include "core/model/tree_ensemble.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace leadrouter::model {
namespace {

Error bad_model(std::string_view reason) {
  return Error::invalid_input(fmt::format("XGBoost model JSON: {}", reason));
}

// XGBoost writes its scalar parameters as strings ("5E-1").
std::optional<double> string_number(const rapidjson::Value& obj, const char* key) {
  const auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  const char* begin = it->value.GetString();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) {
    return std::nullopt;
  }
  return v;
}

const rapidjson::Value* array_member(const rapidjson::Value& obj, const char* key,
                                     rapidjson::SizeType size) {
  const auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray() || it->value.Size() != size) {
    return nullptr;
  }
  return &it->value;
}

}  // namespace

std::expected<TreeEnsemble, Error> TreeEnsemble::from_xgboost_json(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return std::unexpected(bad_model("not a JSON object"));
  }
  const auto learner = doc.FindMember("learner");
  if (learner == doc.MemberEnd() || !learner->value.IsObject()) {
    return std::unexpected(bad_model("no 'learner' object"));
  }
  const auto& l = learner->value;
  const auto objective = l.FindMember("objective");
  if (objective == l.MemberEnd() || !objective->value.IsObject() ||
      !objective->value.HasMember("name") || !objective->value["name"].IsString() ||
      std::string_view(objective->value["name"].GetString()) != "binary:logistic") {
    return std::unexpected(bad_model("only binary:logistic models are supported"));
  }
  const auto params = l.FindMember("learner_model_param");
  if (params == l.MemberEnd() || !params->value.IsObject()) {
    return std::unexpected(bad_model("no learner_model_param"));
  }
  const auto base_score = string_number(params->value, "base_score");
  const auto num_feature = string_number(params->value, "num_feature");
  if (!base_score || !num_feature || *base_score <= 0 || *base_score >= 1) {
    return std::unexpected(bad_model("learner_model_param lacks base_score or num_feature"));
  }
  TreeEnsemble ensemble;
  ensemble.base_margin_ = static_cast<float>(-std::log(1.0 / *base_score - 1.0));
  ensemble.num_features_ = static_cast<std::size_t>(*num_feature);

  const auto booster = l.FindMember("gradient_booster");
  if (booster == l.MemberEnd() || !booster->value.IsObject() || !booster->value.HasMember("name") ||
      !booster->value["name"].IsString() ||
      std::string_view(booster->value["name"].GetString()) != "gbtree" ||
      !booster->value.HasMember("model") || !booster->value["model"].IsObject()) {
    return std::unexpected(bad_model("only gbtree boosters are supported"));
  }
  const auto& model = booster->value["model"];
  const auto trees = model.FindMember("trees");
  if (trees == model.MemberEnd() || !trees->value.IsArray()) {
    return std::unexpected(bad_model("no trees array"));
  }
  for (rapidjson::SizeType t = 0; t < trees->value.Size(); ++t) {
    const auto& tree = trees->value[t];
    if (!tree.IsObject()) {
      return std::unexpected(bad_model(fmt::format("tree {} is not an object", t)));
    }
    const auto left = tree.FindMember("left_children");
    if (left == tree.MemberEnd() || !left->value.IsArray() || left->value.Empty()) {
      return std::unexpected(bad_model(fmt::format("tree {} has no left_children", t)));
    }
    const rapidjson::SizeType n = left->value.Size();
    const auto* right = array_member(tree, "right_children", n);
    const auto* conditions = array_member(tree, "split_conditions", n);
    const auto* indices = array_member(tree, "split_indices", n);
    const auto* defaults = array_member(tree, "default_left", n);
    const auto* types = array_member(tree, "split_type", n);
    const auto* covers = array_member(tree, "sum_hessian", n);
    if (right == nullptr || conditions == nullptr || indices == nullptr || defaults == nullptr ||
        covers == nullptr) {
      return std::unexpected(bad_model(fmt::format("tree {} has inconsistent node arrays", t)));
    }
    const auto offset = static_cast<std::int32_t>(ensemble.nodes_.size());
    ensemble.roots_.push_back(static_cast<std::uint32_t>(offset));
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      if (!left->value[i].IsInt() || !(*right)[i].IsInt() || !(*conditions)[i].IsNumber() ||
          !(*indices)[i].IsUint() || !(*defaults)[i].IsInt() || !(*covers)[i].IsNumber()) {
        return std::unexpected(bad_model(fmt::format("tree {} node {} has bad fields", t, i)));
      }
      if (types != nullptr && (*types)[i].IsInt() && (*types)[i].GetInt() != 0) {
        return std::unexpected(bad_model("categorical splits are not supported"));
      }
      Node node;
      node.value = static_cast<float>((*conditions)[i].GetDouble());
      const int l_child = left->value[i].GetInt();
      const int r_child = (*right)[i].GetInt();
      if (l_child >= 0) {
        if (l_child >= static_cast<int>(n) || r_child < 0 || r_child >= static_cast<int>(n)) {
          return std::unexpected(bad_model(fmt::format("tree {} node {} points outside", t, i)));
        }
        node.left = offset + l_child;
        node.right = offset + r_child;
        node.feature = (*indices)[i].GetUint();
        if (node.feature >= ensemble.num_features_) {
          return std::unexpected(
              bad_model(fmt::format("tree {} node {} splits on feature {} of {}", t, i,
                                    node.feature, ensemble.num_features_)));
        }
      }
      node.default_left = (*defaults)[i].GetInt() != 0;
      node.cover = static_cast<float>((*covers)[i].GetDouble());
      ensemble.nodes_.push_back(node);
    }
  }
  // Node links only point forward within a tree, but a corrupt file could
  // loop; XGBoost itself writes children after parents, so require that.
  for (std::size_t i = 0; i < ensemble.nodes_.size(); ++i) {
    const Node& node = ensemble.nodes_[i];
    if (node.left >= 0 &&
        (static_cast<std::size_t>(node.left) <= i || static_cast<std::size_t>(node.right) <= i)) {
      return std::unexpected(bad_model("tree nodes are not in parent-before-child order"));
    }
  }
  // Per tree: the cover-weighted mean of its leaves (the tree's share of the
  // bias) and its depth (sizing the TreeSHAP path buffer). Children follow
  // parents, so one backward pass sees children first.
  ensemble.bias_ = ensemble.base_margin_;
  std::size_t max_depth = 0;
  for (std::size_t t = 0; t < ensemble.roots_.size(); ++t) {
    const std::size_t begin = ensemble.roots_[t];
    const std::size_t end =
        t + 1 < ensemble.roots_.size() ? ensemble.roots_[t + 1] : ensemble.nodes_.size();
    std::vector<float> mean(end - begin);
    std::vector<std::size_t> depth(end - begin, 0);
    for (std::size_t i = end; i-- > begin;) {
      const Node& node = ensemble.nodes_[i];
      if (node.left < 0) {
        mean[i - begin] = node.value;
        continue;
      }
      const auto left_child = static_cast<std::size_t>(node.left) - begin;
      const auto right_child = static_cast<std::size_t>(node.right) - begin;
      const float lc = ensemble.nodes_[begin + left_child].cover;
      const float rc = ensemble.nodes_[begin + right_child].cover;
      mean[i - begin] =
          node.cover > 0 ? (mean[left_child] * lc + mean[right_child] * rc) / node.cover : 0.0f;
      depth[i - begin] = 1 + std::max(depth[left_child], depth[right_child]);
    }
    ensemble.bias_ += mean[0];
    max_depth = std::max(max_depth, depth[0]);
  }
  const std::size_t d = max_depth + 2;
  ensemble.path_capacity_ = d * (d + 1) / 2;
  return ensemble;
}

void TreeEnsemble::contributions(std::span<const float> row, std::span<float> phi) const {
  std::fill(phi.begin(), phi.end(), 0.0f);
  phi[num_features_] = bias_;
  std::vector<PathElement> path(path_capacity_);
  for (const std::uint32_t root : roots_) {
    tree_shap(row, phi, root, 0, path.data(), 1, 1, -1);
  }
}

namespace {

// The three path operations of TreeSHAP (Lundberg et al., 2018, Algorithm 2).
// `path[0..depth]` holds, for each feature split on along the current path,
// the fraction of training cover that flows down the path when the feature
// is absent (zero) or present (one), and the permutation weights.
template <typename Element>
void extend_path(Element* path, std::uint32_t depth, float zero_fraction, float one_fraction,
                 std::int64_t feature) {
  path[depth].feature = feature;
  path[depth].zero_fraction = zero_fraction;
  path[depth].one_fraction = one_fraction;
  path[depth].weight = depth == 0 ? 1.0f : 0.0f;
  for (std::int64_t i = static_cast<std::int64_t>(depth) - 1; i >= 0; --i) {
    const auto k = static_cast<std::size_t>(i);
    path[k + 1].weight +=
        one_fraction * path[k].weight * static_cast<float>(i + 1) / static_cast<float>(depth + 1);
    path[k].weight = zero_fraction * path[k].weight * static_cast<float>(depth - k) /
                     static_cast<float>(depth + 1);
  }
}

template <typename Element>
void unwind_path(Element* path, std::uint32_t depth, std::uint32_t index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].weight;
  for (std::int64_t i = static_cast<std::int64_t>(depth) - 1; i >= 0; --i) {
    const auto k = static_cast<std::size_t>(i);
    if (one_fraction != 0) {
      const float tmp = path[k].weight;
      path[k].weight = next_one_portion * static_cast<float>(depth + 1) /
                       (static_cast<float>(i + 1) * one_fraction);
      next_one_portion = tmp - path[k].weight * zero_fraction * static_cast<float>(depth - k) /
                                   static_cast<float>(depth + 1);
    } else {
      path[k].weight = path[k].weight * static_cast<float>(depth + 1) /
                       (zero_fraction * static_cast<float>(depth - k));
    }
  }
  for (std::uint32_t i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

template <typename Element>
float unwound_path_sum(const Element* path, std::uint32_t depth, std::uint32_t index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].weight;
  float total = 0;
  for (std::int64_t i = static_cast<std::int64_t>(depth) - 1; i >= 0; --i) {
    const auto k = static_cast<std::size_t>(i);
    if (one_fraction != 0) {
      const float tmp = next_one_portion * static_cast<float>(depth + 1) /
                        (static_cast<float>(i + 1) * one_fraction);
      total += tmp;
      next_one_portion =
          path[k].weight -
          tmp * zero_fraction * (static_cast<float>(depth - k) / static_cast<float>(depth + 1));
    } else if (zero_fraction != 0) {
      total += (path[k].weight / zero_fraction) /
               (static_cast<float>(depth - k) / static_cast<float>(depth + 1));
    }
  }
  return total;
}

}  // namespace

void TreeEnsemble::tree_shap(std::span<const float> row, std::span<float> phi,
                             std::uint32_t node_index, std::uint32_t depth,
                             PathElement* parent_path, float zero_fraction, float one_fraction,
                             std::int64_t feature) const {
  const Node& node = nodes_[node_index];
  PathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(path, depth, zero_fraction, one_fraction, feature);
  if (node.left < 0) {
    for (std::uint32_t i = 1; i <= depth; ++i) {
      const float w = unwound_path_sum(path, depth, i);
      const PathElement& el = path[i];
      phi[static_cast<std::size_t>(el.feature)] +=
          w * (el.one_fraction - el.zero_fraction) * node.value;
    }
    return;
  }
  const float x = row[node.feature];
  const bool go_left = std::isnan(x) ? node.default_left : x < node.value;
  const auto hot = static_cast<std::uint32_t>(go_left ? node.left : node.right);
  const auto cold = static_cast<std::uint32_t>(go_left ? node.right : node.left);
  const float hot_zero = nodes_[hot].cover / node.cover;
  const float cold_zero = nodes_[cold].cover / node.cover;
  float incoming_zero = 1;
  float incoming_one = 1;
  // A feature split on twice along the path is counted once: undo its
  // earlier extension and carry its fractions down.
  std::uint32_t index = 0;
  for (; index <= depth; ++index) {
    if (path[index].feature == static_cast<std::int64_t>(node.feature)) {
      break;
    }
  }
  if (index != depth + 1) {
    incoming_zero = path[index].zero_fraction;
    incoming_one = path[index].one_fraction;
    unwind_path(path, depth, index);
    depth -= 1;
  }
  tree_shap(row, phi, hot, depth + 1, path, hot_zero * incoming_zero, incoming_one,
            static_cast<std::int64_t>(node.feature));
  tree_shap(row, phi, cold, depth + 1, path, cold_zero * incoming_zero, 0,
            static_cast<std::int64_t>(node.feature));
}

float TreeEnsemble::margin(std::span<const float> row) const {
  float sum = base_margin_;
  for (const std::uint32_t root : roots_) {
    const Node* node = &nodes_[root];
    while (node->left >= 0) {
      const float x = row[node->feature];
      const bool go_left = std::isnan(x) ? node->default_left : x < node->value;
      node = &nodes_[static_cast<std::size_t>(go_left ? node->left : node->right)];
    }
    sum += node->value;
  }
  return sum;
}

double TreeEnsemble::probability(std::span<const float> row) const {
  return 1.0 / (1.0 + std::exp(-static_cast<double>(margin(row))));
}

}  // namespace leadrouter::model

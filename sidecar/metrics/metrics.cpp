#include "sidecar/metrics/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <stdexcept>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace {

void atomic_add(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

enum class Type { kCounter, kGauge, kHistogram };

const char* type_name(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

bool name_char(char c, bool first, bool colon_ok) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  bool digit = c >= '0' && c <= '9';
  return alpha || (colon_ok && c == ':') || (!first && digit);
}

bool valid_name(std::string_view name, bool colon_ok) {
  if (name.empty()) {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon_ok)) {
      return false;
    }
  }
  return true;
}

// Registration mistakes are bugs in the daemon, not runtime conditions.
Labels normalize_labels(std::string_view metric, const Labels& labels, Type type) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& name = sorted[i].first;
    if (!valid_name(name, false) || name.starts_with("__")) {
      throw std::logic_error(fmt::format("metric {}: invalid label name '{}'", metric, name));
    }
    if (type == Type::kHistogram && name == "le") {
      throw std::logic_error(fmt::format("metric {}: 'le' is reserved for histograms", metric));
    }
    if (i > 0 && sorted[i - 1].first == name) {
      throw std::logic_error(fmt::format("metric {}: label '{}' given twice", metric, name));
    }
  }
  return sorted;
}

std::vector<double> normalize_bounds(std::vector<double> bounds) {
  // +Inf is always the last bucket; giving it explicitly is harmless.
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) {
    bounds.pop_back();
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i]) || std::isinf(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::logic_error("histogram bucket bounds must be finite and strictly ascending");
    }
  }
  return bounds;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void append_labels(std::string& out, const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) {
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) {
      out += ',';
    }
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (value == 0) {
    return "0";  // also for -0
  }
  // Whole numbers print as integers ("42", not "4.2e+01"), up to where
  // doubles still hold every integer exactly.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return fmt::format("{:.0f}", value);
  }
  return fmt::format("{}", value);
}

}  // namespace

void Counter::inc(double by) {
  // A counter only goes up; a negative or NaN increment is a caller's slip
  // that must not corrupt the series (rate() treats a decrease as a reset).
  if (!(by >= 0)) {
    return;
  }
  atomic_add(value_, by);
}

double Counter::value() const {
  return value_.load(std::memory_order_relaxed);
}

void Gauge::set(double value) {
  value_.store(value, std::memory_order_relaxed);
}

void Gauge::add(double by) {
  atomic_add(value_, by);
}

double Gauge::value() const {
  return value_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(normalize_bounds(std::move(upper_bounds))),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
  std::size_t bucket = bounds_.size();  // NaN lands in +Inf only
  if (!std::isnan(value)) {
    // Buckets are "less than or equal": the first bound >= value.
    bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                      bounds_.begin());
  }
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative_counts.push_back(running);
  }
  // Taken from the buckets rather than count_, so that _count always equals
  // the +Inf bucket even while observations race with the scrape.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets_seconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::vector<double> speed_to_lead_buckets_seconds() {
  return {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400};
}

struct MetricsRegistry::Impl {
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> bounds;
    std::map<Labels, Series> series;  // labels sorted by name
  };

  std::mutex mu;
  std::map<std::string, Family, std::less<>> families;
  std::mutex collectors_mu;
  std::vector<std::function<void(MetricsRegistry&)>> collectors;

  Family& family(std::string_view name, std::string_view help, Type type,
                 const std::vector<double>* bounds) {
    auto it = families.find(name);
    if (it != families.end()) {
      if (it->second.type != type) {
        throw std::logic_error(fmt::format("metric {} is already registered as a {}, not a {}",
                                           name, type_name(it->second.type), type_name(type)));
      }
      if (bounds != nullptr && *bounds != it->second.bounds) {
        throw std::logic_error(
            fmt::format("histogram {} is already registered with other buckets", name));
      }
      return it->second;
    }
    if (!valid_name(name, true)) {
      throw std::logic_error(fmt::format("invalid metric name '{}'", name));
    }
    Family f;
    f.type = type;
    f.help = std::string(help);
    if (bounds != nullptr) {
      f.bounds = *bounds;
    }
    return families.emplace(std::string(name), std::move(f)).first->second;
  }
};

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}

MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  auto key = normalize_labels(name, labels, Type::kCounter);
  std::lock_guard lock(impl_->mu);
  auto& series = impl_->family(name, help, Type::kCounter, nullptr).series[key];
  if (!series.counter) {
    series.counter = std::make_unique<Counter>();
  }
  return *series.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  auto key = normalize_labels(name, labels, Type::kGauge);
  std::lock_guard lock(impl_->mu);
  auto& series = impl_->family(name, help, Type::kGauge, nullptr).series[key];
  if (!series.gauge) {
    series.gauge = std::make_unique<Gauge>();
  }
  return *series.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const std::vector<double>& upper_bounds,
                                      const Labels& labels) {
  auto key = normalize_labels(name, labels, Type::kHistogram);
  auto bounds = normalize_bounds(upper_bounds);
  std::lock_guard lock(impl_->mu);
  auto& series = impl_->family(name, help, Type::kHistogram, &bounds).series[key];
  if (!series.histogram) {
    series.histogram = std::make_unique<Histogram>(bounds);
  }
  return *series.histogram;
}

void MetricsRegistry::add_collector(std::function<void(MetricsRegistry&)> collector) {
  std::lock_guard lock(impl_->collectors_mu);
  impl_->collectors.push_back(std::move(collector));
}

std::string MetricsRegistry::render() {
  std::vector<std::function<void(MetricsRegistry&)>> collectors;
  {
    std::lock_guard lock(impl_->collectors_mu);
    collectors = impl_->collectors;
  }
  // Collectors register and set instruments themselves, so they run
  // without the registry lock. One failing (the store busy, say) leaves
  // its values stale rather than losing the whole page.
  for (auto& collect : collectors) {
    try {
      collect(*this);
    } catch (const std::exception& e) {
      log::warn("metrics_collector_failed", {{"error", e.what()}});
    }
  }

  std::string out;
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, family] : impl_->families) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(family.help), name,
                       type_name(family.type));
    for (const auto& [labels, series] : family.series) {
      if (family.type == Type::kHistogram) {
        auto snap = series.histogram->snapshot();
        for (std::size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
          std::string le = i < snap.upper_bounds.size() ? format_metric_value(snap.upper_bounds[i])
                                                        : std::string("+Inf");
          out += name;
          out += "_bucket";
          append_labels(out, labels, &le);
          out += fmt::format(" {}\n", snap.cumulative_counts[i]);
        }
        out += name;
        out += "_sum";
        append_labels(out, labels);
        out += ' ';
        out += format_metric_value(snap.sum);
        out += '\n';
        out += name;
        out += "_count";
        append_labels(out, labels);
        out += fmt::format(" {}\n", snap.count);
        continue;
      }
      double value =
          family.type == Type::kCounter ? series.counter->value() : series.gauge->value();
      out += name;
      append_labels(out, labels);
      out += ' ';
      out += format_metric_value(value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace leadrouter::sidecar

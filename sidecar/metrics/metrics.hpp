// In-process metrics in the Prometheus text exposition format (version
// 0.0.4), served at /metrics. Counters, gauges and histograms with labels;
// updates are lock-free atomics, so the hot path pays a few nanoseconds.
// Registration returns a reference that stays valid for the registry's life;
// registering the same name and labels again returns the same instrument.
//
//   auto& decided = registry.counter("leadrouter_leads_decided_total",
//                                    "Leads decided", {{"connector", "hs"}, {"route", "emea"}});
//   decided.inc();
//   std::string page = registry.render();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadrouter::sidecar {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1);
  double value() const;

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value);
  void add(double by);
  double value() const;

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // ascending; +Inf is implicit
  void observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative_counts;  // per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket (not cumulative)
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Bucket bounds in seconds for latencies from 100 µs to 10 s, and for
// speed-to-lead from 1 s to 1 day.
std::vector<double> latency_buckets_seconds();
std::vector<double> speed_to_lead_buckets_seconds();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       const std::vector<double>& upper_bounds, const Labels& labels = {});

  // Values computed when scraped (outbox depth read from the store, ...).
  void add_collector(std::function<void(MetricsRegistry&)> collector);

  // Runs the collectors, then renders every family: # HELP, # TYPE, samples
  // sorted by labels; label values escaped as the format requires.
  std::string render();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::sidecar

#include "sidecar/metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace leadrouter::sidecar {
namespace {

TEST(MetricsTest, RendersCountersAndGaugesSortedByNameAndLabels) {
  MetricsRegistry r;
  r.counter("leadrouter_leads_decided_total", "Leads decided",
            {{"route", "us-west"}, {"connector", "hs"}})
      .inc(2);
  r.counter("leadrouter_leads_decided_total", "Leads decided",
            {{"connector", "hs"}, {"route", "emea"}})
      .inc();
  r.gauge("leadrouter_ingest_queue_depth", "Leads waiting").set(7);
  EXPECT_EQ(r.render(),
            "# HELP leadrouter_ingest_queue_depth Leads waiting\n"
            "# TYPE leadrouter_ingest_queue_depth gauge\n"
            "leadrouter_ingest_queue_depth 7\n"
            "# HELP leadrouter_leads_decided_total Leads decided\n"
            "# TYPE leadrouter_leads_decided_total counter\n"
            "leadrouter_leads_decided_total{connector=\"hs\",route=\"emea\"} 1\n"
            "leadrouter_leads_decided_total{connector=\"hs\",route=\"us-west\"} 2\n");
}

TEST(MetricsTest, SameNameAndLabelsGiveTheSameInstrument) {
  MetricsRegistry r;
  auto& a = r.counter("c_total", "help", {{"a", "1"}, {"b", "2"}});
  auto& b = r.counter("c_total", "help", {{"b", "2"}, {"a", "1"}});
  auto& other = r.counter("c_total", "help", {{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  auto& g1 = r.gauge("g", "help");
  auto& g2 = r.gauge("g", "help");
  EXPECT_EQ(&g1, &g2);
}

TEST(MetricsTest, RegisteringANameAsAnotherTypeThrows) {
  MetricsRegistry r;
  r.counter("x_total", "help");
  EXPECT_THROW(r.gauge("x_total", "help"), std::logic_error);
  EXPECT_THROW(r.histogram("x_total", "help", {1}), std::logic_error);
  r.histogram("h_seconds", "help", {1, 2});
  EXPECT_THROW(r.histogram("h_seconds", "help", {1, 3}), std::logic_error);
  EXPECT_NO_THROW(r.histogram("h_seconds", "help", {1, 2}, {{"a", "b"}}));
}

TEST(MetricsTest, BadNamesAndLabelsThrow) {
  MetricsRegistry r;
  EXPECT_THROW(r.counter("1abc", "help"), std::logic_error);
  EXPECT_THROW(r.counter("has-dash", "help"), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "help", {{"bad-label", "x"}}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "help", {{"__reserved", "x"}}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "help", {{"a", "x"}, {"a", "y"}}), std::logic_error);
  EXPECT_THROW(r.histogram("h", "help", {1}, {{"le", "x"}}), std::logic_error);
  EXPECT_THROW(r.histogram("h2", "help", {2, 1}), std::logic_error);
  EXPECT_THROW(r.histogram("h3", "help", {1, 1}), std::logic_error);
  EXPECT_NO_THROW(r.counter("ns:ok_total", "help", {{"_x1", "v"}}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry r;
  r.gauge("g", "line one\nback\\slash", {{"v", "a\"b\\c\nd"}}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP g line one\\nback\\\\slash\n"
            "# TYPE g gauge\n"
            "g{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, FormatsNumbersAsPrometheusExpects) {
  MetricsRegistry r;
  r.gauge("g", "h", {{"k", "a_big"}}).set(1e15);
  r.gauge("g", "h", {{"k", "b_frac"}}).set(0.25);
  r.gauge("g", "h", {{"k", "c_inf"}}).set(std::numeric_limits<double>::infinity());
  r.gauge("g", "h", {{"k", "d_neginf"}}).set(-std::numeric_limits<double>::infinity());
  r.gauge("g", "h", {{"k", "e_nan"}}).set(std::nan(""));
  r.gauge("g", "h", {{"k", "f_negzero"}}).set(-0.0);
  r.gauge("g", "h", {{"k", "g_neg"}}).set(-3);
  r.gauge("g", "h", {{"k", "h_small"}}).set(1e-7);
  EXPECT_EQ(r.render(),
            "# HELP g h\n# TYPE g gauge\n"
            "g{k=\"a_big\"} 1000000000000000\n"
            "g{k=\"b_frac\"} 0.25\n"
            "g{k=\"c_inf\"} +Inf\n"
            "g{k=\"d_neginf\"} -Inf\n"
            "g{k=\"e_nan\"} NaN\n"
            "g{k=\"f_negzero\"} 0\n"
            "g{k=\"g_neg\"} -3\n"
            "g{k=\"h_small\"} 1e-07\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInf) {
  MetricsRegistry r;
  auto& h = r.histogram("lat_seconds", "Latency", {0.1, 1, 10}, {{"c", "x"}});
  for (double v : {0.05, 0.1, 0.5, 3.0, 20.0}) {
    h.observe(v);
  }
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{c=\"x\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{c=\"x\",le=\"1\"} 3\n"
            "lat_seconds_bucket{c=\"x\",le=\"10\"} 4\n"
            "lat_seconds_bucket{c=\"x\",le=\"+Inf\"} 5\n"
            "lat_seconds_sum{c=\"x\"} 23.65\n"
            "lat_seconds_count{c=\"x\"} 5\n");
  auto snap = h.snapshot();
  EXPECT_EQ(snap.upper_bounds, (std::vector<double>{0.1, 1, 10}));
  EXPECT_EQ(snap.cumulative_counts, (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(snap.count, 5u);
}

TEST(MetricsTest, HistogramWithoutLabelsAndAnExplicitInf) {
  MetricsRegistry r;
  auto& h =
      r.histogram("h", "help", {1, std::numeric_limits<double>::infinity()});  // +Inf implicit
  h.observe(std::nan(""));
  EXPECT_EQ(r.render(),
            "# HELP h help\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum NaN\n"
            "h_count 1\n");
}

TEST(MetricsTest, CountersIgnoreNegativeIncrements) {
  Counter c;
  c.inc(2.5);
  c.inc(-1);
  c.inc(std::nan(""));
  EXPECT_DOUBLE_EQ(c.value(), 2.5);
  Gauge g;
  g.set(3);
  g.add(-5);
  EXPECT_DOUBLE_EQ(g.value(), -2);
}

TEST(MetricsTest, CollectorsRunAtEveryRender) {
  MetricsRegistry r;
  int depth = 0;
  r.add_collector([&depth](MetricsRegistry& reg) {
    reg.gauge("leadrouter_outbox_rows", "Outbox rows", {{"state", "pending"}}).set(++depth);
  });
  r.add_collector([](MetricsRegistry&) { throw std::runtime_error("store busy"); });
  EXPECT_NE(r.render().find("leadrouter_outbox_rows{state=\"pending\"} 1\n"), std::string::npos);
  EXPECT_NE(r.render().find("leadrouter_outbox_rows{state=\"pending\"} 2\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry r;
  auto& c = r.counter("c_total", "h");
  auto& g = r.gauge("g", "h");
  auto& h = r.histogram("h", "h", latency_buckets_seconds());
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        c.inc();
        g.add(0.5);
        h.observe(0.001);
      }
    });
  }
  std::thread scraper([&] {
    for (int i = 0; i < 50; ++i) {
      auto snap = h.snapshot();
      EXPECT_EQ(snap.count, snap.cumulative_counts.back());
    }
  });
  for (auto& t : threads) {
    t.join();
  }
  scraper.join();
  EXPECT_DOUBLE_EQ(c.value(), kThreads * kEach);
  EXPECT_DOUBLE_EQ(g.value(), kThreads * kEach * 0.5);
  auto snap = h.snapshot();
  EXPECT_EQ(snap.count, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_NEAR(snap.sum, kThreads * kEach * 0.001, 1e-6);
}

TEST(MetricsTest, DefaultBucketsAreAscendingAndSpanTheirRanges) {
  auto lat = latency_buckets_seconds();
  auto stl = speed_to_lead_buckets_seconds();
  EXPECT_TRUE(std::is_sorted(lat.begin(), lat.end()));
  EXPECT_TRUE(std::is_sorted(stl.begin(), stl.end()));
  EXPECT_DOUBLE_EQ(lat.front(), 0.0001);
  EXPECT_DOUBLE_EQ(lat.back(), 10);
  EXPECT_DOUBLE_EQ(stl.front(), 1);
  EXPECT_DOUBLE_EQ(stl.back(), 86400);
}

}  // namespace
}  // namespace leadrouter::sidecar

// matching_bench: lead-to-account matching against 100,000 accounts, the
// size the sidecar's account index must hold. Per lead: (a) a corporate email
// whose domain belongs to an account, (b) a free-mail lead matched by a
// company name written differently from the account (legal form, case,
// punctuation, a typo in a long word), (c) a name no account has. The budget
// is a median of 50 µs per lead; docs/account-matching.md records the
// figures. p50_us / p99_us are per-lead latencies measured one lead at a time.
//
//   build-release/bench/matching_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/matching/account_index.hpp"

namespace leadrouter::matching {
namespace {

constexpr int kAccounts = 100000;

constexpr auto kFirst = std::to_array<const char*>({
    "Blue",     "Red",    "Green",    "Silver",      "Golden",   "North",      "South",
    "East",     "West",   "Pacific",  "Atlantic",    "Summit",   "Pinnacle",   "Apex",
    "Cedar",    "Oak",    "Maple",    "Pine",        "Willow",   "Birch",      "River",
    "Lake",     "Harbor", "Bay",      "Canyon",      "Mesa",     "Prairie",    "Valley",
    "Granite",  "Iron",   "Copper",   "Crystal",     "Bright",   "Clear",      "True",
    "Prime",    "Nova",   "Stellar",  "Lunar",       "Solar",    "Quantum",    "Vector",
    "Vertex",   "Nexus",  "Fusion",   "Horizon",     "Frontier", "Pioneer",    "Liberty",
    "Heritage", "Legacy", "Keystone", "Cornerstone", "Beacon",   "Lighthouse", "Anchor",
    "Compass",  "Atlas",  "Titan",    "Orion",       "Phoenix",  "Falcon",     "Eagle",
    "Hawk",     "Raven",  "Wolf",     "Bear",        "Fox",      "Lion",       "Tiger",
    "Alder",    "Aspen",  "Sequoia",  "Redwood",     "Juniper",  "Sage",       "Ember",
    "Cobalt",   "Indigo", "Scarlet",  "Azure",       "Ivory",    "Onyx",       "Jade",
    "Amber",    "Coral",  "Pearl",    "Ruby",        "Sapphire", "Emerald",    "Hudson",
    "Denver",   "Austin", "Boston",   "Berlin",      "Munich",   "Lyon",       "Milan",
});
constexpr auto kSecond = std::to_array<const char*>({
    "Ridge",   "Point",  "Peak",  "Stone", "Bridge", "Gate",   "Field",   "Brook", "Creek",
    "Springs", "Hill",   "Wood",  "Grove", "Park",   "View",   "Crest",   "Rock",  "Shore",
    "Haven",   "Port",   "Bay",   "Works", "Labs",   "Forge",  "Mill",    "Yard",  "Tower",
    "Square",  "Street", "Lane",  "Path",  "Way",    "Line",   "Wave",    "Light", "Spark",
    "Flame",   "Star",   "Sky",   "Cloud", "Stream", "Signal", "Circuit", "Logic", "Mind",
    "Sense",   "Scale",  "Shift", "Loop",  "Core",   "Base",   "Hub",     "Nest",  "Den",
    "Harbor",  "Reach",  "",      "",      "",       "",       "",        "",      "",
});
constexpr auto kIndustry = std::to_array<const char*>({
    "Analytics",     "Software",   "Systems",         "Technologies", "Solutions", "Consulting",
    "Logistics",     "Foods",      "Pharmaceuticals", "Health",       "Capital",   "Partners",
    "Manufacturing", "Industries", "Energy",          "Media",        "Labs",      "Robotics",
    "Networks",      "Security",   "Insurance",       "Bank",         "Realty",    "Construction",
    "Engineering",   "Design",     "Marketing",       "Ventures",     "Holdings",  "Group",
    "Motors",        "Airlines",   "Apparel",         "Outfitters",   "Brewing",   "Farms",
    "Dental",        "Legal",      "Education",       "Studios",      "Games",     "Telecom",
});
constexpr auto kLegal = std::to_array<const char*>({
    "Inc.",
    "LLC",
    "Ltd",
    "Limited",
    "GmbH",
    "AG",
    "S.A.",
    "SAS",
    "BV",
    "Pty Ltd",
    "PLC",
    "Corp",
    "",
    "",
    "",
    "",
});
constexpr auto kSuffixes =
    std::to_array<const char*>({"com", "com", "com", "io", "co.uk", "de", "com.au", "fr", "co.jp"});

std::string lower_alnum(const std::string& s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

struct Fixture {
  std::unique_ptr<AccountIndex> index;
  std::shared_ptr<const core::FreeMailDomains> free_mail;
  std::vector<IndexedAccount> accounts;
  std::vector<std::string> stems;  // the account name without its legal form
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    auto suffixes = PublicSuffixList::load();
    if (!suffixes) {
      std::fprintf(stderr, "%s\n", suffixes.error().message.c_str());
      std::abort();
    }
    out.free_mail = std::make_shared<const core::FreeMailDomains>(
        core::FreeMailDomains::from_text("gmail.com\nyahoo.com\nhotmail.com\noutlook.com\n"));
    out.index = std::make_unique<AccountIndex>(
        std::make_shared<const PublicSuffixList>(std::move(*suffixes)), out.free_mail);
    std::mt19937 rng(7);
    const Timestamp epoch = *parse_iso8601("2024-01-01T00:00:00Z");
    for (int i = 0; i < kAccounts; ++i) {
      std::string stem =
          std::string(kFirst[rng() % kFirst.size()]) + kSecond[rng() % kSecond.size()];
      stem += ' ';
      stem += kIndustry[rng() % kIndustry.size()];
      std::string name = stem;
      if (const char* legal = kLegal[rng() % kLegal.size()]; *legal != '\0') {
        name += ' ';
        name += legal;
      }
      IndexedAccount a{.id = "A" + std::to_string(i),
                       .name = name,
                       .domain = lower_alnum(stem) + std::to_string(i % 97) + "." +
                                 kSuffixes[rng() % kSuffixes.size()],
                       .owner_id = "U" + std::to_string(rng() % 500),
                       .owner_active = rng() % 10 != 0,
                       .last_activity_at = epoch + std::chrono::hours(rng() % 20000),
                       .size = static_cast<double>(rng() % 100000)};
      out.accounts.push_back(a);
      out.stems.push_back(stem);
      if (!out.index->add(std::move(a))) {
        std::abort();
      }
    }
    return out;
  }();
  return f;
}

struct Case {
  core::Lead lead;
  core::LeadFacts facts;
};

// A typo in the longest word: two letters swapped in the middle.
std::string with_typo(std::string name) {
  std::size_t best = 0;
  std::size_t best_len = 0;
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t end = std::min(name.find(' ', i), name.size());
    if (end - i > best_len) {
      best = i;
      best_len = end - i;
    }
    i = end + 1;
  }
  if (best_len >= 7) {
    std::swap(name[best + best_len / 2], name[best + best_len / 2 + 1]);
  }
  return name;
}

std::vector<Case> make_cases(int kind) {
  const Fixture& f = fixture();
  std::mt19937 rng(11 + kind);
  std::vector<Case> out;
  for (int i = 0; i < 2000; ++i) {
    const std::size_t k = rng() % f.accounts.size();
    core::Lead lead;
    switch (kind) {
      case 0:  // corporate email on the account's domain, sometimes a subdomain
        lead.email =
            "ana" + std::to_string(i) + (i % 3 == 0 ? "@mail." : "@") + f.accounts[k].domain;
        lead.company = f.stems[k];
        break;
      case 1: {  // free mail; the name as a person would type it
        lead.email = "ana" + std::to_string(i) + "@gmail.com";
        std::string name = f.stems[k];
        if (i % 4 == 1) {
          name = with_typo(name);
        }
        if (i % 4 == 2) {
          for (char& c : name) {
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
          }
        }
        lead.company = name + (i % 2 == 0 ? ", Inc." : "");
        break;
      }
      default:  // a company no account has
        lead.email = "ana" + std::to_string(i) + "@gmail.com";
        lead.company = std::string(kFirst[rng() % kFirst.size()]) + " Zyxwv" + std::to_string(i) +
                       " " + kIndustry[rng() % kIndustry.size()];
        break;
    }
    Case c{lead, core::derive_facts(lead, *f.free_mail)};
    out.push_back(std::move(c));
  }
  return out;
}

void run(benchmark::State& state, int kind) {
  const Fixture& f = fixture();
  const std::vector<Case> cases = make_cases(kind);
  const MatchOptions options;
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ % cases.size()];
    const auto start = std::chrono::steady_clock::now();
    const auto m = f.index->match(c.lead, c.facts, options);
    const auto stop = std::chrono::steady_clock::now();
    matched += m ? 1 : 0;
    benchmark::DoNotOptimize(m);
    if (latencies.size() < latencies.capacity()) {
      latencies.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    return latencies.empty() ? 0.0
                             : latencies[static_cast<std::size_t>(q * (latencies.size() - 1))];
  };
  state.counters["p50_us"] = at(0.5);
  state.counters["p99_us"] = at(0.99);
  state.counters["matched_pct"] =
      i == 0 ? 0.0 : 100.0 * static_cast<double>(matched) / static_cast<double>(i);
  state.counters["accounts"] = static_cast<double>(f.index->size());
}

void BM_MatchEmailDomain(benchmark::State& state) {
  run(state, 0);
}
void BM_MatchFuzzyName(benchmark::State& state) {
  run(state, 1);
}
void BM_MatchUnknownName(benchmark::State& state) {
  run(state, 2);
}

// Index upkeep: replacing one account, as an incremental CRM refresh does.
void BM_UpdateAccount(benchmark::State& state) {
  const Fixture& f = fixture();
  std::size_t i = 0;
  for (auto _ : state) {
    IndexedAccount a = f.accounts[(i++ * 7919) % f.accounts.size()];
    benchmark::DoNotOptimize(f.index->update(std::move(a)));
  }
}

BENCHMARK(BM_MatchEmailDomain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MatchFuzzyName)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MatchUnknownName)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_UpdateAccount)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace leadrouter::matching

BENCHMARK_MAIN();

#include "sidecar/pipeline/poller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How long a poller waits for room in a full queue before it gives up on the
// page; the page is fetched again on the next poll.
constexpr std::chrono::seconds kPushTimeout{30};
// Backoff on failing polls grows from the interval up to this (or the
// interval, when that is longer).
constexpr std::chrono::seconds kMaxBackoff{300};
// A failed user refresh is retried sooner than the roster interval.
constexpr std::chrono::seconds kRefreshRetry{30};
constexpr milliseconds kPushSlice{200};

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<milliseconds>(t).time_since_epoch().count();
}

std::expected<connectors::LeadCursor, Error> cursor_from_start(
    std::string_view start_from, std::chrono::system_clock::time_point now) {
  if (start_from == "now") {
    return connectors::LeadCursor{std::chrono::floor<milliseconds>(now), ""};
  }
  if (start_from == "beginning") {
    return connectors::LeadCursor{};
  }
  if (auto t = connectors::parse_crm_time(start_from)) {
    return connectors::LeadCursor{*t, ""};
  }
  return std::unexpected(Error::invalid_input(fmt::format(
      "start_from '{}' is not \"now\", \"beginning\" or an ISO 8601 time", start_from)));
}

}  // namespace

Poller::Poller(connectors::CrmConnector& connector, StateStore& store, IngestQueue& queue,
               MetricsRegistry& metrics, PollerOptions options, SystemClock clock,
               std::function<void(std::vector<core::Rep>)> on_users)
    : connector_(connector),
      store_(store),
      queue_(queue),
      metrics_(metrics),
      options_(std::move(options)),
      clock_(std::move(clock)),
      on_users_(std::move(on_users)) {
  options_.page_size = std::max(options_.page_size, 1);
  options_.interval = std::max(options_.interval, std::chrono::seconds{1});
  options_.roster_refresh = std::max(options_.roster_refresh, std::chrono::seconds{1});
}

std::expected<void, Error> Poller::load_cursor() {
  const std::string& name = connector_.name();
  auto stored = store_.cursor(name);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  if (*stored) {
    auto parsed = connectors::LeadCursor::parse(**stored);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    cursor_ = std::move(*parsed);
    return {};
  }
  auto start = cursor_from_start(options_.start_from, clock_());
  if (!start) {
    return std::unexpected(start.error());
  }
  // Stored at once: "now" must mean the first start, not whichever start
  // first saw a lead, or leads created while the sidecar is down are missed.
  Commit commit;
  commit.connector = name;
  commit.cursor = start->serialize();
  if (auto done = store_.commit(commit); !done) {
    return std::unexpected(done.error());
  }
  log::info("poll_cursor_initialised",
            {{"connector", name}, {"start_from", options_.start_from}, {"cursor", *commit.cursor}});
  cursor_ = std::move(*start);
  return {};
}

std::expected<int, Error> Poller::refresh_users() {
  const std::string& name = connector_.name();
  auto reps = connector_.list_reps();
  if (!reps) {
    log::warn("roster_refresh_failed", {{"connector", name}, {"error", reps.error().message}});
    return std::unexpected(reps.error());
  }
  const int count = static_cast<int>(reps->size());
  if (on_users_) {
    on_users_(std::move(*reps));
  }
  users_refreshed_ = true;
  log::info("roster_refreshed", {{"connector", name}, {"users", count}});
  return count;
}

bool Poller::push(IngestItem item, steady_clock::time_point deadline) {
  // In slices, so a stop request does not wait out a full queue's timeout.
  for (;;) {
    const auto slice = std::min(deadline, steady_clock::now() + kPushSlice);
    if (queue_.push(item, slice)) {
      return true;
    }
    const auto now = steady_clock::now();
    // Back before its deadline: the queue is closed, not full.
    if (now < slice || now >= deadline || stopping_) {
      return false;
    }
  }
}

std::expected<int, Error> Poller::poll_once() {
  const std::string& name = connector_.name();
  auto fail = [&](Error error) -> std::expected<int, Error> {
    metrics_.counter("leadrouter_poll_errors_total", "Polls that failed", {{"connector", name}})
        .inc();
    log::warn("poll_failed", {{"connector", name}, {"error", error.message}});
    return std::unexpected(std::move(error));
  };
  if (!cursor_) {
    if (auto loaded = load_cursor(); !loaded) {
      return fail(loaded.error());
    }
  }
  int queued = 0;
  for (;;) {
    const connectors::LeadCursor from = *cursor_;
    auto page = connector_.fetch_changed_leads(from, options_.page_size);
    if (!page) {
      return fail(page.error());
    }
    last_success_ms_ = epoch_ms(clock_());
    const auto received = steady_clock::now();
    const auto deadline = received + kPushTimeout;
    const std::size_t count = page->leads.size();
    for (std::size_t i = 0; i < count; ++i) {
      IngestItem item;
      item.connector = name;
      item.source = "poll";
      item.record_id = page->leads[i].lead.id;
      item.lead = std::move(page->leads[i]);
      if (i + 1 == count) {
        // The cursor is stored with the last lead's decisions, so it never
        // gets ahead of what the store holds.
        item.cursor_after = page->next.serialize();
      }
      item.received_at = received;
      if (!push(std::move(item), deadline)) {
        // The page is fetched again next time: the in-memory cursor stays.
        return fail(Error{ErrorKind::kRetryable, "the ingest queue is full or closed"});
      }
    }
    queued += static_cast<int>(count);
    cursor_ = page->next;
    if (!page->more || page->next == from || stopping_) {
      break;
    }
  }
  if (queued > 0) {
    log::debug("poll_done", {{"connector", name}, {"queued", queued}});
  }
  return queued;
}

void Poller::run(std::stop_token stop) {
  const std::string& name = connector_.name();
  stopping_ = stop.stop_requested();
  std::stop_callback on_stop(stop, [this] { stopping_ = true; });
  auto now = steady_clock::now();
  auto next_poll = now;
  auto not_before = now;  // backoff: no poll before this, even when woken
  auto next_refresh = users_refreshed_ ? now + options_.roster_refresh : now;
  int failures = 0;
  while (!stop.stop_requested()) {
    now = steady_clock::now();
    if (now >= next_refresh) {
      next_refresh = now + (refresh_users() ? std::chrono::seconds(options_.roster_refresh)
                                            : std::min(options_.roster_refresh, kRefreshRetry));
    }
    if (now >= next_poll) {
      auto polled = poll_once();
      now = steady_clock::now();
      if (polled) {
        failures = 0;
        not_before = now;
        next_poll = now + options_.interval;
      } else {
        ++failures;
        const auto cap = std::max<milliseconds>(kMaxBackoff, options_.interval);
        const double grown = static_cast<double>(milliseconds(options_.interval).count()) *
                             std::pow(2.0, std::min(failures - 1, 20));
        milliseconds delay = std::min(cap, milliseconds{std::llround(grown)});
        if (polled.error().retry_after) {
          delay = std::max(delay, *polled.error().retry_after);
        }
        not_before = now + delay;
        next_poll = not_before;
        log::info("poll_backoff", {{"connector", name},
                                   {"failures", failures},
                                   {"retry_in_ms", static_cast<std::int64_t>(delay.count())}});
      }
    }
    std::unique_lock lock(mutex_);
    wake_cv_.wait_until(lock, stop, std::min(next_poll, next_refresh), [&] { return woken_; });
    if (woken_) {
      woken_ = false;
      next_poll = std::max(steady_clock::now(), not_before);
    }
  }
}

void Poller::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

std::optional<std::chrono::system_clock::time_point> Poller::last_success() const {
  const std::int64_t ms = last_success_ms_.load();
  if (ms == 0) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point{milliseconds{ms}};
}

}  // namespace leadrouter::sidecar

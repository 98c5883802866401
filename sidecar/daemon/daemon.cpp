#include "sidecar/daemon/daemon.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "connectors/connector_factory.hpp"
#include "connectors/http_client.hpp"
#include "sidecar/config/routing_setup.hpp"
#include "sidecar/daemon/account_sync.hpp"
#include "sidecar/daemon/api_backend.hpp"
#include "sidecar/daemon/metered_transport.hpp"
#include "sidecar/http/api_routes.hpp"
#include "sidecar/http/http_server.hpp"
#include "sidecar/logging/log.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/decision_worker.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"
#include "sidecar/pipeline/model_manager.hpp"
#include "sidecar/pipeline/outbox_writer.hpp"
#include "sidecar/pipeline/outcome_tracker.hpp"
#include "sidecar/pipeline/poller.hpp"
#include "sidecar/pipeline/sla_watcher.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

namespace {

using FileTimes = std::map<std::string, std::filesystem::file_time_type>;

// Blocks the daemon's signals in the calling thread (and so in every thread
// it starts) and reads them through a signalfd instead: only the main loop
// reacts to them, never a worker in the middle of a transaction.
class SignalGuard {
 public:
  SignalGuard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    fd_ = ::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~SignalGuard() {
    if (fd_ >= 0) {
      // A signal that arrived during shutdown is consumed here, not re-raised
      // on the old mask (which could kill an embedding test process).
      signalfd_siginfo info;
      while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      }
      ::close(fd_);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  int fd() const { return fd_; }

 private:
  sigset_t set_;
  sigset_t previous_;
  int fd_ = -1;
};

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

FileTimes file_times(const std::vector<std::string>& paths) {
  FileTimes times;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto t = std::filesystem::last_write_time(path, ec);
    // A file that is missing right now (an editor replacing it) counts as a
    // change once it is back.
    times[path] = ec ? std::filesystem::file_time_type::min() : t;
  }
  return times;
}

}  // namespace

struct Daemon::Impl {
  // One CRM tenant: its connector, the transport it talks through, and the
  // pipeline parts that serve it.
  struct Tenant {
    const connectors::ConnectorConfig* config = nullptr;
    RoutingFiles routing;
    std::shared_ptr<MeteredTransport> transport;
    connectors::BuiltConnector built;
    std::unique_ptr<Poller> poller;
    std::unique_ptr<OutboxWriter> writer;
    std::unique_ptr<OutcomeTracker> outcomes;
  };

  Impl(SidecarConfig c, DaemonHooks h) : config(std::move(c)), hooks(std::move(h)) {}

  int run();
  int start();
  void serve_until_stopped(int signal_fd);
  void prune_webhook_events_if_due();
  void shutdown();
  void reload(const char* trigger);
  std::vector<std::string> watched_files() const;
  int fail(const std::string& reason);
  // The store's active model replaces a connector's configured one when
  // the connector has a model configured or retraining is on.
  void apply_active_model(const Tenant& tenant, RoutingSetup& setup,
                          const std::shared_ptr<const core::ModelScorer>& active) const;
  // Reads outcomes and retrains on the outcomes interval, until stopped.
  void learn(std::stop_token stop);

  SidecarConfig config;
  DaemonHooks hooks;
  SystemClock clock = [] { return std::chrono::system_clock::now(); };

  int stop_fd = -1;         // eventfd: stop() from any thread wakes the main loop
  std::mutex reload_mutex;  // SIGHUP, file changes and reload() callers

  // Threads are joined in shutdown(), then run() releases the rest in
  // dependency order (server and backend before the engine, the engine
  // before the connectors it holds references to, the store last).
  MetricsRegistry metrics;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<IngestQueue> queue;
  std::unique_ptr<DecisionEngine> engine;
  std::unique_ptr<AccountSync> accounts;  // holds references to tenants' connectors
  std::vector<std::unique_ptr<Tenant>> tenants;
  std::unique_ptr<DecisionWorker> worker;
  std::unique_ptr<DaemonApiBackend> backend;
  std::unique_ptr<HttpServer> server;
  std::vector<std::jthread> poller_threads;
  std::optional<std::jthread> worker_thread;
  std::vector<std::jthread> writer_threads;
  FileTimes watched;

  std::unique_ptr<ModelManager> models;
  std::string applied_model_version;                                // under reload_mutex
  std::shared_ptr<const core::FreeMailDomains> training_free_mail;  // under reload_mutex
  std::optional<std::jthread> learning_thread;
  std::unique_ptr<SlaWatcher> sla;
  std::optional<std::jthread> sla_thread;
  std::optional<std::chrono::system_clock::time_point> last_webhook_prune;
};

void Daemon::Impl::apply_active_model(
    const Tenant& tenant, RoutingSetup& setup,
    const std::shared_ptr<const core::ModelScorer>& active) const {
  if (active && (config.retrain.enabled || !tenant.routing.model.empty())) {
    setup.model = active;
  }
}

void Daemon::Impl::learn(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  const auto interval = std::chrono::seconds{config.outcomes.poll_seconds};
  while (!stop.stop_requested()) {
    for (const auto& tenant : tenants) {
      if (stop.stop_requested()) {
        return;
      }
      // Failures are logged and counted by the tracker; the next round retries.
      [[maybe_unused]] auto polled = tenant->outcomes->poll_once();
    }
    if (config.retrain.enabled && !stop.stop_requested()) {
      std::shared_ptr<const core::FreeMailDomains> free_mail;
      {
        std::lock_guard lock(reload_mutex);
        free_mail = training_free_mail;
      }
      if (free_mail) {
        auto report = models->retrain_if_due(*free_mail);
        if (!report) {
          log::error("model_retrain_failed", {{"error", report.error().message}});
        } else if (report->outcome == RetrainOutcome::kActivated) {
          reload("model retrained");
        }
      }
    }
    std::unique_lock lock(mutex);
    cv.wait_for(lock, stop, interval, [] { return false; });
  }
}

int Daemon::Impl::fail(const std::string& reason) {
  log::error("startup_failed", {{"reason", reason}});
  std::fprintf(stderr, "leadrouter: %s\n", reason.c_str());
  std::fflush(stderr);
  return 1;
}

std::vector<std::string> Daemon::Impl::watched_files() const {
  std::vector<std::string> paths;
  for (const auto& tenant : tenants) {
    for (const auto* path :
         {&tenant->routing.policy, &tenant->routing.roster, &tenant->routing.model}) {
      if (!path->empty()) {
        paths.push_back(*path);
      }
    }
  }
  return paths;
}

int Daemon::Impl::start() {
  auto opened = StateStore::open(config.state_dir);
  if (!opened) {
    return fail(fmt::format("cannot open the state store in {}: {}", config.state_dir,
                            opened.error().message));
  }
  store = std::move(*opened);
  models = std::make_unique<ModelManager>(*store, metrics, config.state_dir, config.retrain, clock);
  queue = std::make_unique<IngestQueue>(config.ingest.queue_limit);
  engine = std::make_unique<DecisionEngine>(*store, metrics, config.mode, config.ingest, clock);
  auto account_sync = AccountSync::create(config, *store, metrics, clock);
  if (!account_sync) {
    return fail(account_sync.error());
  }
  accounts = std::move(*account_sync);
  engine->set_enricher(accounts->enricher());
  backend = std::make_unique<DaemonApiBackend>(*store, *engine, *queue, metrics, clock,
                                               DaemonApiBackend::Options{});

  for (const auto& connector_config : config.connectors) {
    auto tenant = std::make_unique<Tenant>();
    tenant->config = &connector_config;
    tenant->routing = config.routing_for(connector_config.name);
    const std::string& name = connector_config.name;

    connectors::HttpClientOptions http;
    http.ca_file = connector_config.ca_file;
    auto client = connectors::HttpClient::create(http);
    if (!client) {
      return fail(fmt::format("connector {}: {}", name, client.error().message));
    }
    std::vector<std::string> token_urls;
    if (!connector_config.auth.token_url.empty()) {
      token_urls.push_back(connector_config.auth.token_url);
    }
    tenant->transport = std::make_shared<MeteredTransport>(
        std::shared_ptr<connectors::HttpTransport>(std::move(*client)), metrics, name,
        std::move(token_urls));
    connectors::ConnectorEnvironment environment;
    environment.transport = tenant->transport;
    auto built = connectors::build_connector(connector_config, environment);
    if (!built) {
      return fail(fmt::format("connector {}: {}", name, built.error().message));
    }
    tenant->built = std::move(*built);
    if (auto token = tenant->built.tokens->token(); !token) {
      return fail(
          fmt::format("connector {}: authentication failed: {}", name, token.error().message));
    }

    if (!tenant->routing.model.empty()) {
      if (auto registered = models->register_file(tenant->routing.model); !registered) {
        return fail(fmt::format("connector {}: {}", name, registered.error().message));
      }
    }
    auto active = models->active_scorer();
    if (!active) {
      return fail(active.error().message);
    }
    auto setup = load_routing_setup(tenant->routing.policy, tenant->routing.roster,
                                    config.free_mail, tenant->routing.model);
    if (!setup) {
      return fail(fmt::format("connector {}: {}", name, setup.error()));
    }
    apply_active_model(*tenant, *setup, *active);
    if (!training_free_mail) {
      training_free_mail = setup->free_mail;
    }
    if (auto loaded = accounts->add_connector(*tenant->built.connector, setup->free_mail);
        !loaded) {
      return fail(fmt::format("connector {}: {}", name, loaded.error()));
    }
    const bool write_back = config.mode == Mode::kLive && connector_config.write_back;
    if (auto added = engine->add_connector(*tenant->built.connector, std::move(*setup), write_back);
        !added) {
      return fail(fmt::format("connector {}: {}", name, added.error().message));
    }

    PollerOptions poll;
    poll.interval = std::chrono::seconds{connector_config.poll_interval_seconds};
    poll.roster_refresh = std::chrono::seconds{config.roster_refresh_seconds};
    poll.page_size = config.ingest.page_size;
    poll.start_from = config.ingest.start_from;
    tenant->poller = std::make_unique<Poller>(
        *tenant->built.connector, *store, *queue, metrics, poll, clock,
        [engine = engine.get(), accounts = accounts.get(), name](std::vector<core::Rep> users) {
          accounts->set_active_owners(name, users);
          engine->update_crm_users(name, std::move(users));
        });
    if (auto users = tenant->poller->refresh_users(); !users) {
      return fail(fmt::format("connector {}: cannot read the CRM's users: {}", name,
                              users.error().message));
    }
    if (write_back) {
      tenant->writer = std::make_unique<OutboxWriter>(*store, *tenant->built.connector, metrics,
                                                      config.outbox, clock);
    }
    tenant->outcomes =
        std::make_unique<OutcomeTracker>(*tenant->built.connector, *store, *engine, metrics, clock);
    backend->add_connector({.connector = tenant->built.connector.get(),
                            .poller = tenant->poller.get(),
                            .poll_interval = poll.interval,
                            .token_obtained = true});
    log::info("connector_ready", {{"connector", name},
                                  {"system", tenant->built.connector->system()},
                                  {"write_back", write_back}});
    tenants.push_back(std::move(tenant));
  }

  backend->set_model_status([m = models.get()] { return m->status_line(); });
  backend->set_account_status(
      [a = accounts.get()](const std::string& connector) { return a->status(connector); });

  // The worker wakes a tenant's writer as soon as a commit leaves rows for it.
  engine->on_committed([this](const std::string& connector) {
    for (const auto& tenant : tenants) {
      if (tenant->writer && tenant->config->name == connector) {
        tenant->writer->wake();
      }
    }
  });

  server = std::make_unique<HttpServer>(
      HttpServerOptions{.host = config.http.host,
                        .port = config.http.port,
                        .body_limit = config.http.body_limit,
                        .threads = config.http.threads},
      make_api_handler(*backend, {.public_url = config.http.public_url}));
  auto port = server->listen();
  if (!port) {
    return fail(fmt::format("cannot listen on {}:{}: {}", config.http.host, config.http.port,
                            port.error().message));
  }
  const std::string base_url = fmt::format("http://{}:{}", url_host(config.http.host), *port);
  log::info("listening", {{"url", base_url}, {"mode", to_string(config.mode)}});
  if (hooks.on_listening) {
    hooks.on_listening(base_url);
  }
  server->start();

  worker = std::make_unique<DecisionWorker>(*queue, *engine, metrics);
  worker_thread.emplace([w = worker.get()](std::stop_token stop) { w->run(stop); });
  for (const auto& tenant : tenants) {
    poller_threads.emplace_back([p = tenant->poller.get()](std::stop_token stop) { p->run(stop); });
    if (tenant->writer) {
      writer_threads.emplace_back(
          [w = tenant->writer.get()](std::stop_token stop) { w->run(stop); });
    }
  }
  learning_thread.emplace([this](std::stop_token stop) { learn(stop); });
  accounts->start();
  sla = std::make_unique<SlaWatcher>(*store, *engine, metrics, config.sla, clock);
  sla_thread.emplace([s = sla.get()](std::stop_token stop) { s->run(stop); });
  watched = file_times(watched_files());
  if (auto version = models->active_version(); version) {
    applied_model_version = *version;
  }
  return 0;
}

void Daemon::Impl::serve_until_stopped(int signal_fd) {
  for (;;) {
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int ready = ::poll(fds, 2, 1000);
    if (ready < 0 && errno != EINTR) {
      log::error("signal_wait_failed", {{"reason", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents & POLLIN) {
      log::info("stopping", {{"trigger", "stop()"}});
      return;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGHUP) {
          reload("SIGHUP");
        } else {
          log::info("stopping", {{"trigger", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
          return;
        }
      }
      continue;
    }
    if (ready == 0 && config.reload_on_change) {
      auto now = file_times(watched_files());
      if (now != watched) {
        watched = std::move(now);
        reload("file change");
      }
    }
    if (ready == 0) {
      // `leadrouter model activate` runs in another process: the store is
      // where the choice arrives, checked once a second.
      auto version = models->active_version();
      bool changed = false;
      {
        std::lock_guard lock(reload_mutex);
        changed = version && *version != applied_model_version;
      }
      if (changed) {
        reload("model activated");
      }
      prune_webhook_events_if_due();
    }
  }
}

void Daemon::Impl::prune_webhook_events_if_due() {
  // HubSpot retries a delivery for at most 24 hours: an event id older than
  // a week can never arrive again, so remembering it only grows the file.
  constexpr auto kInterval = std::chrono::hours{1};
  constexpr auto kKeep = std::chrono::days{7};
  const auto now = clock();
  if (last_webhook_prune && now - *last_webhook_prune < kInterval) {
    return;
  }
  last_webhook_prune = now;
  auto pruned =
      store->prune_webhook_events(std::chrono::floor<std::chrono::milliseconds>(now - kKeep));
  if (!pruned) {
    log::warn("webhook_event_prune_failed", {{"error", pruned.error().message}});
  } else if (*pruned > 0) {
    log::info("webhook_events_pruned", {{"events", *pruned}});
  }
}

void Daemon::Impl::shutdown() {
  // A retrain in flight finishes first; it only reads the store.
  learning_thread.reset();
  if (accounts) {
    accounts->stop();  // a refresh in flight stops after its current page
  }
  // A breach step in flight commits first; its outbox row is then drained below.
  sla_thread.reset();
  // Ingest stops first, so nothing new arrives while the rest drains.
  for (auto& thread : poller_threads) {
    thread.request_stop();
  }
  for (const auto& tenant : tenants) {
    tenant->poller->wake();
  }
  poller_threads.clear();
  queue->close();
  if (worker_thread) {
    worker_thread.reset();  // drains what was queued, then returns
  }
  for (auto& thread : writer_threads) {
    thread.request_stop();
  }
  for (const auto& tenant : tenants) {
    if (tenant->writer) {
      tenant->writer->wake();
    }
  }
  writer_threads.clear();  // each finishes the batch in flight
  if (server) {
    server->stop();
  }
  log::info("stopped", {});
}

void Daemon::Impl::reload(const char* trigger) {
  std::lock_guard lock(reload_mutex);
  if (!engine) {
    return;
  }
  // Tried once per activated version: a broken model or policy file is
  // reported by this reload, not again every second by the model check.
  if (auto version = models->active_version(); version) {
    applied_model_version = *version;
  }
  auto active = models->active_scorer();
  if (!active) {
    metrics
        .counter("leadrouter_policy_reloads_total", "Policy reloads by result",
                 {{"result", "error"}})
        .inc();
    log::error("policy_reload_rejected",
               {{"trigger", trigger}, {"reason", active.error().message}});
    return;
  }
  std::vector<std::pair<std::string, RoutingSetup>> setups;
  for (const auto& tenant : tenants) {
    auto setup = load_routing_setup(tenant->routing.policy, tenant->routing.roster,
                                    config.free_mail, tenant->routing.model);
    if (!setup) {
      metrics
          .counter("leadrouter_policy_reloads_total", "Policy reloads by result",
                   {{"result", "error"}})
          .inc();
      log::error(
          "policy_reload_rejected",
          {{"trigger", trigger}, {"connector", tenant->config->name}, {"reason", setup.error()}});
      return;
    }
    apply_active_model(*tenant, *setup, *active);
    setups.emplace_back(tenant->config->name, std::move(*setup));
  }
  if (!setups.empty()) {
    training_free_mail = setups.front().second.free_mail;
  }
  for (auto& [name, setup] : setups) {
    // The policy's extra_free_mail_domains are part of this list.
    accounts->set_free_mail(name, setup.free_mail);
    if (auto replaced = engine->replace_routing(name, std::move(setup)); !replaced) {
      metrics
          .counter("leadrouter_policy_reloads_total", "Policy reloads by result",
                   {{"result", "error"}})
          .inc();
      log::error("policy_reload_rejected",
                 {{"trigger", trigger}, {"connector", name}, {"reason", replaced.error().message}});
      return;
    }
  }
  metrics.counter("leadrouter_policy_reloads_total", "Policy reloads by result", {{"result", "ok"}})
      .inc();
  log::info("policy_reloaded", {{"trigger", trigger}, {"connectors", setups.size()}});
}

int Daemon::Impl::run() {
  if (!log::init(config.log.level, config.log.format)) {
    std::fprintf(stderr, "leadrouter: unknown log level or format: %s / %s\n",
                 config.log.level.c_str(), config.log.format.c_str());
    return 1;
  }
  // Before any thread exists, so that every thread inherits the blocked mask.
  SignalGuard signals;
  if (signals.fd() < 0) {
    return fail(fmt::format("cannot set up signal handling: {}", std::strerror(errno)));
  }
  int code = start();
  if (code == 0) {
    serve_until_stopped(signals.fd());
  }
  if (queue) {
    shutdown();
  }
  {
    std::lock_guard lock(reload_mutex);
    server.reset();
    backend.reset();
    worker.reset();
    sla.reset();
    engine.reset();
    accounts.reset();
    tenants.clear();
    queue.reset();
    models.reset();
    store.reset();
  }
  return code;
}

Daemon::Daemon(SidecarConfig config, DaemonHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(hooks))) {
  impl_->stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Daemon::~Daemon() {
  if (impl_->stop_fd >= 0) {
    ::close(impl_->stop_fd);
  }
}

int Daemon::run() {
  return impl_->run();
}

void Daemon::stop() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(impl_->stop_fd, &one, sizeof one);
}

void Daemon::reload() {
  impl_->reload("reload()");
}

}  // namespace leadrouter::sidecar

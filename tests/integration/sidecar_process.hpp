// Runs `leadrouter serve` as a real child process for the integration tests.
//
//   TempDir dir;
//   SidecarProcess sidecar({"--config", cfg, "--crm-url", mock.base_url(),
//                           "--state", dir.file("state"), "--listen", "127.0.0.1:0"},
//                          demo_env(), dir.path());
//   http_get(sidecar.base_url() + "/healthz");
//   sidecar.signal(SIGHUP);            // any signal
//   int code = sidecar.stop();         // SIGTERM, waits (then SIGKILL); the exit code
//   sidecar.kill_hard();               // SIGKILL now (crash tests); then start a new one
//   std::string log = sidecar.log();   // stderr so far (JSON log lines)
//
// The constructor returns once the first stdout line "listening on http://..."
// arrived, and throws (with the child's stderr) if it exits first or the
// timeout passes. SidecarProcess::run() instead runs to completion (for start-up
// failures: bad config -> exit 2). stdout and stderr go straight to files in
// `log_dir` (sidecar-N.out / sidecar-N.err), so the child never blocks on a
// pipe and a failing test can print them. The destructor always stops the
// child (SIGTERM, then SIGKILL) and reaps it; the files stay in log_dir.
//
// Exit codes from stop()/wait_exit(): the process's exit status, or
// 128 + signal number when a signal ended it, or -1 when it is still running.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {

class SidecarProcess {
 public:
  struct Result {
    int exit_code = -1;
    std::string out;
    std::string err;
  };

  SidecarProcess(std::vector<std::string> serve_args, const Env& env, const std::string& log_dir,
                 std::chrono::milliseconds start_timeout = std::chrono::seconds{30}) {
    spawn(serve_args, env, log_dir);
    const auto deadline = std::chrono::steady_clock::now() + start_timeout;
    for (;;) {
      const std::string out = read_file(out_path_);
      const auto nl = out.find('\n');
      if (nl != std::string::npos) {
        const std::string line = out.substr(0, nl);
        const std::string prefix = "listening on ";
        if (!line.starts_with(prefix)) {
          kill_hard();
          throw std::runtime_error("unexpected first line from the sidecar: " + line +
                                   "\nstderr:\n" + log());
        }
        base_url_ = line.substr(prefix.size());
        return;
      }
      if (poll_exit()) {
        throw std::runtime_error("the sidecar exited with " + std::to_string(exit_code_) +
                                 " before listening; stderr:\n" + log());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill_hard();
        throw std::runtime_error("the sidecar did not print its address in time; stderr:\n" +
                                 log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }

  // Runs `leadrouter serve ARGS` to completion (killed after `timeout`).
  static Result run(std::vector<std::string> serve_args, const Env& env, const std::string& log_dir,
                    std::chrono::milliseconds timeout = std::chrono::seconds{30}) {
    SidecarProcess p(Detached{}, serve_args, env, log_dir);
    Result result;
    result.exit_code = p.wait_exit(timeout);
    if (result.exit_code == -1) {
      p.kill_hard();
      result.exit_code = p.exit_code_;
    }
    result.out = p.output();
    result.err = p.log();
    return result;
  }

  ~SidecarProcess() { stop(); }
  SidecarProcess(const SidecarProcess&) = delete;
  SidecarProcess& operator=(const SidecarProcess&) = delete;

  // "http://127.0.0.1:PORT", as printed.
  const std::string& base_url() const { return base_url_; }
  pid_t pid() const { return pid_; }
  bool running() { return !poll_exit(); }

  void signal(int sig) const {
    if (pid_ > 0) {
      ::kill(pid_, sig);
    }
  }

  // SIGTERM, then waits up to `grace` for the exit, then SIGKILL. The exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{20}) {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      if (wait_exit(grace) == -1) {
        kill_hard();
      }
    }
    return exit_code_;
  }

  // SIGKILL now and reap: what a crash looks like to the store.
  void kill_hard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      reap(0);
    }
  }

  // Waits up to `timeout` for the child to exit; its exit code, -1 if still running.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll_exit()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return exit_code_;
  }

  std::string output() const { return read_file(out_path_); }  // stdout so far
  std::string log() const { return read_file(err_path_); }     // stderr so far
  const std::string& log_path() const { return err_path_; }

 private:
  struct Detached {};
  SidecarProcess(Detached, const std::vector<std::string>& serve_args, const Env& env,
                 const std::string& log_dir) {
    spawn(serve_args, env, log_dir);
  }

  void spawn(const std::vector<std::string>& serve_args, const Env& env,
             const std::string& log_dir) {
    static std::atomic<int> counter{0};
    const int n = counter++;
    out_path_ = log_dir + "/sidecar-" + std::to_string(n) + ".out";
    err_path_ = log_dir + "/sidecar-" + std::to_string(n) + ".err";
    std::vector<std::string> args{kLeadrouter, "serve"};
    args.insert(args.end(), serve_args.begin(), serve_args.end());
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (const auto& [k, v] : env) {
      env_storage.push_back(k + "=" + v);
    }
    std::vector<char*> envp;
    for (auto& e : env_storage) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // The test process may block signals (gtest threads); the child starts clean.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = 0;
      throw std::runtime_error("cannot start " + kLeadrouter + ": " + std::strerror(rc));
    }
  }

  // True once the child has exited (and been reaped).
  bool poll_exit() { return pid_ <= 0 || reap(WNOHANG); }

  bool reap(int flags) {
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid_, &status, flags)) < 0 && errno == EINTR) {
    }
    if (r != pid_) {
      return false;
    }
    exit_code_ = WIFEXITED(status)     ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : -1;
    pid_ = 0;
    return true;
  }

  pid_t pid_ = 0;
  int exit_code_ = -1;
  std::string base_url_;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace leadrouter::integration

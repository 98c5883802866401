// Starts a real mock-crm process on 127.0.0.1 port 0 for integration tests,
// reads its base URL from the first stdout line, and kills it (SIGTERM, then
// SIGKILL) when the object goes away.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace leadrouter::connectors::testing {

class MockCrmProcess {
 public:
  explicit MockCrmProcess(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args = {LEADROUTER_BINARY_DIR "/mock_crm/mock-crm", "--listen",
                                     "127.0.0.1:0", "--seed",
                                     LEADROUTER_SOURCE_DIR "/examples/mock_crm/seed.json"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + args[0]);
    }
    stdout_fd_ = out[0];
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (line.find('\n') == std::string::npos) {
      pollfd p{stdout_fd_, POLLIN, 0};
      if (std::chrono::steady_clock::now() > deadline || ::poll(&p, 1, 200) < 0) {
        stop();
        throw std::runtime_error("mock-crm did not print its address");
      }
      char c;
      if (p.revents & (POLLIN | POLLHUP)) {
        if (::read(stdout_fd_, &c, 1) != 1) {
          stop();
          throw std::runtime_error("mock-crm exited before printing its address");
        }
        line += c;
      }
    }
    const auto at = line.find("http");
    if (at == std::string::npos) {
      stop();
      throw std::runtime_error("unexpected first line from mock-crm: " + line);
    }
    base_url_ = line.substr(at, line.find('\n') - at);
    // Keep draining stdout so the server never blocks on a full pipe.
    drain_ = std::thread([fd = stdout_fd_] {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    });
  }

  ~MockCrmProcess() { stop(); }
  MockCrmProcess(const MockCrmProcess&) = delete;
  MockCrmProcess& operator=(const MockCrmProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  std::string port() const { return base_url_.substr(base_url_.rfind(':') + 1); }

 private:
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
      }
    }
    if (drain_.joinable()) {
      drain_.join();
    }
    if (stdout_fd_ >= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
    }
  }

  pid_t pid_ = 0;
  int stdout_fd_ = -1;
  std::string base_url_;
  std::thread drain_;
};

}  // namespace leadrouter::connectors::testing

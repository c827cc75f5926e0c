#pragma once
// Starts one of the suite's service binaries as a child process, the way make up does, with
// environment overrides (ports, brokers, Redis). Its stderr goes to a log file kept for the failure
// message. The destructor kills a process still running (see ChildProcess).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "expo/testing/child_process.hpp"

namespace expo::testing {

class ServiceProcess {
 public:
  // service: "registration" | "checkin" | "voting" | "leaderboard". The port is chosen free unless
  // env sets EXPO_HTTP_PORT. Kafka and Redis point at the test stack unless env overrides them.
  ServiceProcess(std::string service, std::map<std::string, std::string> env = {});
  ~ServiceProcess() = default;  // ChildProcess kills a process still running
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }

  // Polls GET path until it answers `status` or the deadline passes.
  bool wait_for(const std::string& path, int status, std::chrono::milliseconds deadline);
  bool wait_ready(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    return wait_for("/readyz", 200, deadline);
  }
  // Sends a signal (0: none) and waits for the exit; the exit status, or -signal if killed by one.
  int stop(int signal, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    return process_->stop(signal, deadline);
  }
  bool running() { return process_->running(); }
  std::string log_tail(std::size_t max_bytes = 4000) const { return process_->log_tail(max_bytes); }

 private:
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// A TCP port nobody listens on right now.
std::uint16_t free_port();

}  // namespace expo::testing

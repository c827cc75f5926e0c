#include "expo/testing/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "expo/testing/environment.hpp"

namespace expo::testing {

std::string test_log_path(const std::string& stem) {
  static int counter = 0;
  return required_env("EXPO_TEST_RUN_DIR") + "/" + stem + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(++counter) + ".log";
}

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, std::string log_path)
    : log_path_(std::move(log_path)) {
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_lines;
  for (const auto& [name, value] : env) env_lines.push_back(name + "=" + value);
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  // The inherited environment minus the overridden names (getenv would find a duplicate's first copy).
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!env.contains(std::string(entry.substr(0, entry.find('='))))) envp.push_back(*e);
  }
  for (auto& line : env_lines) envp.push_back(line.data());
  envp.push_back(nullptr);

  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_path_);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
}

ChildProcess::~ChildProcess() {
  if (running()) stop(SIGKILL, std::chrono::seconds(5));
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int ChildProcess::wait(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1000;
  const auto until = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1001;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1000;
  if (signal != 0) ::kill(pid_, signal);
  const int result = wait(deadline);
  if (result == -1001) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  return result;
}

std::string ChildProcess::log_tail(std::size_t max_bytes) const {
  std::ifstream in(log_path_);
  std::stringstream content;
  content << in.rdbuf();
  auto text = content.str();
  if (text.size() > max_bytes) text = text.substr(text.size() - max_bytes);
  return "--- " + log_path_ + " ---\n" + text;
}

}  // namespace expo::testing

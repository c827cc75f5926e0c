#pragma once
// A child process for tests: started with extra environment variables, stdout and stderr into a log
// file, stopped by signal, reaped. The destructor SIGKILLs a child still running.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace expo::testing {

class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the child to end by itself; exit status, -signal if a signal ended it, -1001 at the deadline.
  int wait(std::chrono::milliseconds deadline);
  // Sends `signal` (0: none, just wait) then waits; past the deadline the child is SIGKILLed and -1001 returned.
  int stop(int signal, std::chrono::milliseconds deadline = std::chrono::seconds(20));
  std::string log_tail(std::size_t max_bytes = 4000) const;

 private:
  std::string log_path_;
  pid_t pid_ = -1;
};

// A log file path under EXPO_TEST_RUN_DIR unique to this test process: <run dir>/<stem>-<pid>-<n>.log
std::string test_log_path(const std::string& stem);

}  // namespace expo::testing

#include "expo/testing/environment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

namespace expo::testing {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    // Thrown so the test stops here; gtest reports it as a failure with this text.
    throw std::runtime_error(std::string(name) +
                             " is not set: run integration tests through make test, or source tests/integration-env.sh "
                             "and start the stack (see tests/README.md)");
  }
  return value;
}

int stack(const std::string& command, const std::string& component) {
  const std::string script = required_env("EXPO_TEST_STACK");
  const std::string line = script + " " + command + " " + component + " >>" + required_env("EXPO_TEST_RUN_DIR") +
                           "/stack-from-tests.log 2>&1";
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace expo::testing

#pragma once
// What the integration harness (tests/run.sh with tests/integration-env.sh) tells the tests, through EXPO_TEST_*.
// A missing variable fails the test with a message: a check that silently skips is a defect.

#include <string>

namespace expo::testing {

// The value of an EXPO_TEST_* variable, or a gtest failure (fatal for the calling test) naming it.
std::string required_env(const char* name);

// Runs deploy/local/stack.sh for the test stack, e.g. stack("stop", "kafka"). Returns its exit status.
int stack(const std::string& command, const std::string& component);

}  // namespace expo::testing

#pragma once
// Shared by the pages modules' unit tests (registration, check-in, voting): page files read and
// written whole, a scratch copy of a service's web/ folder per test for the tests that break a file,
// and what a module's load() said about it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "expo/event_model/event.hpp"

namespace expo::testing {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A copy of `web_dir` in the temporary folder, named after the process and the running test, removed
// when the copy goes.
class ScratchWebDir {
 public:
  explicit ScratchWebDir(const std::filesystem::path& web_dir) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("expo-pages-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::copy(web_dir, dir_, std::filesystem::copy_options::recursive);
  }
  ~ScratchWebDir() { std::filesystem::remove_all(dir_); }
  ScratchWebDir(const ScratchWebDir&) = delete;
  ScratchWebDir& operator=(const ScratchWebDir&) = delete;

  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// "(loaded)", or "<code>: <message>" of the error a pages module's load() gave for `dir`.
template <class Pages>
std::string load_error(const std::filesystem::path& dir) {
  auto pages = Pages::load(dir, model::default_event());
  return pages.ok() ? std::string("(loaded)") : pages.error().code + ": " + pages.error().message;
}

}  // namespace expo::testing

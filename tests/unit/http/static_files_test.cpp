#include "expo/http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace expo::http {
namespace {

TEST(StaticFiles, ContentTypesByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
}

TEST(StaticFiles, ServesLoadedFilesAndNothingOutsideTheFolder) {
  const auto root = std::filesystem::temp_directory_path() / ("expo-static-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "booth");
  std::ofstream(root / "booth" / "app.js") << "console.log(1);";
  std::ofstream(root / "index.html") << "<!doctype html>";
  auto files = StaticFiles::load(root);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ((*files)->file_count(), 2u);

  const auto js = (*files)->serve("booth/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1);");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ((*files)->serve("../etc/passwd").status, 404);
  EXPECT_EQ((*files)->serve("booth/../index.html").status, 404);
  EXPECT_EQ((*files)->serve("/index.html").status, 404);
  std::filesystem::remove_all(root);
}

TEST(StaticFiles, MissingFolderIsAnError) {
  EXPECT_FALSE(StaticFiles::load("/nonexistent/expo/assets").ok());
}

}  // namespace
}  // namespace expo::http

#pragma once
// Serves a folder of assets (pages, scripts, styles, images) from memory: the folder is read once at
// start, so answering never touches the disk on the event loop. Content types come from the file
// extension. Immutable after construction, so safe to share.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "expo/core/result.hpp"
#include "expo/http/router.hpp"

namespace expo::http {

std::string_view content_type_for(std::string_view file_name);

class StaticFiles {
 public:
  // Reads every regular file under root (at most max_total_bytes in all).
  static Result<std::shared_ptr<const StaticFiles>> load(const std::filesystem::path& root,
                                                         std::size_t max_total_bytes = 32 * 1024 * 1024);

  // The response for a relative path such as "booth/app.js"; 404 envelope when absent.
  Response serve(std::string_view relative_path) const;
  std::size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::unordered_map<std::string, File> files_;
};

// A handler for a route whose last segment is {*path}; it keeps the files alive.
Handler serve_static(std::shared_ptr<const StaticFiles> files);

}  // namespace expo::http

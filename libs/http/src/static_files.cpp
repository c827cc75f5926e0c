#include "expo/http/static_files.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace expo::http {

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wav", "audio/wav"},
      {".mp3", "audio/mpeg"},
  }};
  const auto dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    const auto ext = file_name.substr(dot);
    for (const auto& [suffix, type] : types) {
      if (ext == suffix) return type;
    }
  }
  return "application/octet-stream";
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::load(const std::filesystem::path& root,
                                                             std::size_t max_total_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error::permanent("static_files", "asset folder " + root.string() + " does not exist");
  }
  auto files = std::make_shared<StaticFiles>();
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return Error::permanent("static_files", "cannot read " + it->path().string());
    File file{std::string(content_type_for(it->path().filename().string())), std::move(content).str()};
    total += file.body.size();
    if (total > max_total_bytes) {
      return Error::permanent("static_files", "asset folder " + root.string() + " is larger than the limit");
    }
    files->files_.emplace(fs::relative(it->path(), root).generic_string(), std::move(file));
  }
  if (ec) return Error::permanent("static_files", "cannot list " + root.string() + ": " + ec.message());
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

Response StaticFiles::serve(std::string_view relative_path) const {
  // Keys are exact relative paths, so "..", absolute paths and the like simply find nothing.
  const auto it = files_.find(std::string(relative_path));
  if (it == files_.end()) return Response::error(404, "not_found", "no such asset");
  return Response::text(200, it->second.body, it->second.content_type)
      .with_header("Cache-Control", "public, max-age=300");
}

Handler serve_static(std::shared_ptr<const StaticFiles> files) {
  return [files = std::move(files)](const Request& request, Responder responder) {
    responder.send(files->serve(request.param("path")));
  };
}

}  // namespace expo::http

#include "expo/web/assets.hpp"

#include <algorithm>

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/web/template.hpp"

namespace expo::web {
namespace {

Error invalid(std::string message) { return Error::permanent("pages_invalid", std::move(message)); }

bool url_safe(const std::string& relative) {
  return !relative.empty() && relative.front() != '.' && relative.find("/.") == std::string::npos &&
         std::all_of(relative.begin(), relative.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-' || c == '/';
         });
}

}  // namespace

Result<std::map<std::string, std::string>> read_asset_files(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return invalid("asset folder " + dir.string() + " does not exist");
  std::map<std::string, std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const auto relative = fs::relative(it->path(), dir).generic_string();
    if (!url_safe(relative)) return invalid("asset path \"" + relative + "\" must be [A-Za-z0-9._/-] and not hidden");
    auto content = read_page_file(it->path());
    if (!content) return content.error();
    files.emplace(relative, std::move(*content));
  }
  if (ec) return invalid("cannot list " + dir.string() + ": " + ec.message());
  return files;
}

std::string content_version(std::string_view strings, const std::map<std::string, std::string>& templates,
                            const std::map<std::string, std::string>& assets) {
  std::string all;
  auto add = [&all](std::string_view name, std::string_view content) {
    all.append(name).push_back('\0');
    all.append(std::to_string(content.size())).push_back('\0');
    all.append(content);
  };
  add("strings.json", strings);
  for (const auto& [name, content] : templates) add("templates/" + name, content);
  for (const auto& [name, content] : assets) add("assets/" + name, content);
  return crypto::hex_encode(crypto::sha256(all)).substr(0, 16);
}

}  // namespace expo::web

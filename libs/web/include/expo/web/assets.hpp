#pragma once
// The files behind a service's pages, read once at start: its assets folder, and a version over
// everything that shapes what a browser runs (asset URLs carry it as ?v=, so a deployment reaches
// every browser at once). Shared by the services' pages modules.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::web {

// Every file below `dir`, by path relative to it ("vendor/qr.js"), sorted so what is built from them
// does not depend on the order the file system lists them in. Paths end up in URLs and scripts, so
// they must be [A-Za-z0-9._/-] and not hidden. Errors: code "pages_invalid" naming the path.
Result<std::map<std::string, std::string>> read_asset_files(const std::filesystem::path& dir);

// 16 hex digits of SHA-256 over strings.json, the templates and the assets, each framed by its name
// and size (so moving bytes between files changes the version too).
std::string content_version(std::string_view strings, const std::map<std::string, std::string>& templates,
                            const std::map<std::string, std::string>& assets);

}  // namespace expo::web

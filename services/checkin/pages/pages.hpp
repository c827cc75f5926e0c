#pragma once
// The check-in service's pages, rendered on the server from ../web/ so their text reads without
// JavaScript (the scripts enhance them): the booth tablet app (GET /booth), the tablets' admin page
// (GET /admin/devices) and the tablet's service worker (GET /booth/sw.js).
//
// web_dir holds templates/{booth.html, devices.html, sw.js}, strings.json (id + en) and assets/,
// which the service serves itself at /booth/assets/{*path} (expo::http::StaticFiles over
// assets_dir(web_dir)). assets/vendor/qr.js is build output (services/checkin/frontend, built by
// deploy/deps.sh) and must be there. load() reads and checks everything once: every {{name}} a
// template uses is one the code supplies, every data-i18n key exists in both languages, every asset
// path is URL-safe; so a broken file stops the service at start instead of failing a request.
// All pages are rendered completely at load.
//
// version() is a SHA-256 over strings, templates and assets (16 hex digits): asset URLs carry it
// (?v=), the service worker's cache is named by it, and the tablets report it as their app version,
// so a new deployment reaches every tablet and shows in the fleet list.
//
// Thread-safety and lifetime: immutable after load(); any number of threads may call the const
// methods at once. The Event is only read during load() and need not outlive the Pages.

#include <filesystem>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/web/i18n.hpp"

namespace expo::model {
struct Event;
}

namespace expo::checkin {

// Where the service worker must be served and what it controls. A script at /booth/sw.js may only
// control /booth/ (its folder) unless the response allows more, and the app lives at /booth itself:
// serve it with the header `Service-Worker-Allowed: /booth`.
inline constexpr std::string_view kServiceWorkerPath = "/booth/sw.js";
inline constexpr std::string_view kServiceWorkerScope = "/booth";
inline constexpr std::string_view kAssetsPrefix = "/booth/assets/";

class Pages {
 public:
  // Errors: code "pages_invalid" naming the file and what is wrong.
  static Result<Pages> load(const std::filesystem::path& web_dir, const model::Event& event);

  // The folder to serve at /booth/assets/{*path}.
  static std::filesystem::path assets_dir(const std::filesystem::path& web_dir) { return web_dir / "assets"; }

  // GET /booth (the tablet app). Serve as text/html; charset=utf-8 with Cache-Control: no-store
  // (the service worker keeps its own copy for offline starts).
  const std::string& booth_page(web::Lang lang) const;
  // GET /admin/devices. text/html; charset=utf-8, Cache-Control: no-store. The page asks for the
  // admin token itself; the page holds no secret, so it needs no auth.
  const std::string& devices_page(web::Lang lang) const;
  // GET /booth/sw.js. Serve as text/javascript; charset=utf-8 with Cache-Control: no-cache and
  // Service-Worker-Allowed: /booth (see kServiceWorkerScope).
  const std::string& service_worker() const { return service_worker_; }

  // 16 lowercase hex digits; the tablets send "booth-<version>" as their app_version.
  const std::string& version() const { return version_; }
  const std::string& app_version() const { return app_version_; }

 private:
  Pages() = default;

  std::string booth_[2];    // [lang]
  std::string devices_[2];  // [lang]
  std::string service_worker_;
  std::string version_;
  std::string app_version_;
};

}  // namespace expo::checkin

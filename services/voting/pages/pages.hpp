#pragma once
// The voting service's visitor page (GET /vote?token=...) and its 404, rendered on the server from
// ../web/ so the ballot reads without JavaScript, on a slow phone and to a screen reader; vote.js only
// adds the tap-and-confirm vote.
//
// web_dir holds templates/{ballot.html, not_found.html}, strings.json (id + en) and assets/, which
// the service serves itself at /vote/assets/{*path} (kAssetsPrefix). load() reads and checks all of
// it once: every {{name}} a template uses is one the code supplies, every string the code reads
// exists in both languages, every asset path is URL-safe; so a broken file stops the service at
// start instead of failing a request. The 404 pages are rendered at load; the ballot template has
// its page text bound at load and a request fills only the visitor's part.
//
// The language switch is a plain link (?token=...&lang=en): the page is rendered per request anyway
// and a reload also refreshes the live part (votes left, booths visited), so no in-page switch.
//
// Thread-safety and lifetime: immutable after load(); any number of threads may call the const
// methods at once. The Event is only read during load() and need not outlive the Pages.

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/ballot.hpp"
#include "expo/core/result.hpp"
#include "expo/web/i18n.hpp"
#include "expo/web/template.hpp"

namespace expo::model {
struct Event;
}

namespace expo::voting {

inline constexpr std::string_view kAssetsPrefix = "/vote/assets/";

class Pages {
 public:
  // Errors: code "pages_invalid" naming the file and what is wrong.
  static Result<Pages> load(const std::filesystem::path& web_dir, const model::Event& event);

  // The folder to serve at /vote/assets/{*path}.
  static std::filesystem::path assets_dir(const std::filesystem::path& web_dir) { return web_dir / "assets"; }

  // GET /vote?token=... for a token that names a visitor. Serve as text/html; charset=utf-8 with
  // Cache-Control: no-store (it shows one visitor's live state). Every value from the ballot and the
  // event is HTML-escaped; the badge token goes into data-token and the language link.
  std::string ballot_page(const Ballot& ballot, web::Lang lang) const;
  // GET /vote with a missing, forged or unknown token: serve with status 404, text/html.
  const std::string& not_found_page(web::Lang lang) const;

  // 16 lowercase hex digits of a SHA-256 over strings, templates and assets: asset URLs carry ?v=,
  // so the assets may be served with a long cache lifetime.
  const std::string& version() const { return version_; }

 private:
  // One innovation as the ballot lists it, escaped once at load.
  struct Item {
    std::size_t region_pos = 0;  // the region's place in the event (unknown regions last)
    std::size_t event_pos = 0;   // the innovation's place in the event
    std::string id;  // raw, to look up the ballot's votes
    std::string id_html, name_html, description_html;
    bool demo = false;
  };
  struct Texts {  // one language's pieces the request-time markup uses, escaped once at load
    std::string remaining;  // holds {n} and {total}
    std::string vote, voted, demo, closed, not_event_day, quota_used, empty_title, empty_text;
  };

  Pages() = default;
  std::string items_html(const Ballot& ballot, const Texts& texts) const;
  std::string notice_html(const Ballot& ballot, const Texts& texts) const;

  web::Template ballot_[2];  // [lang], page text bound
  std::string not_found_[2];  // [lang]
  Texts texts_[2];            // [lang]
  std::vector<Item> items_;
  std::vector<std::string> region_headings_;  // escaped, by region_pos
  std::unordered_map<std::string, std::vector<std::size_t>> items_by_booth_;  // booth id -> items_ indexes
  std::string version_;
};

}  // namespace expo::voting

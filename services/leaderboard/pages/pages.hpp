#pragma once
// The leaderboard's two pages, rendered on the server from ../web/ so their text reads without
// JavaScript (the scripts enhance them):
//   GET /screen  the public screen for the hall's big screens: both languages at once, the current
//                boards in the HTML; screen.js then follows GET /v1/stream and rotates the boards.
//   GET /ops     the operations page (admin token asked in the page; ops.js and the bundled charts).
//
// web_dir holds templates/{screen.html, ops.html}, strings.json (id + en) and assets/, which the
// service serves itself at /screen/assets/{*path} (kAssetsPrefix; one prefix for both pages).
// assets/vendor/charts.js is build output (services/leaderboard/frontend, built by deploy/deps.sh)
// and must be there. load() reads and checks everything once: every {{name}} a template uses is one
// the code supplies, every string the code reads exists in both languages, every asset path is
// URL-safe; so a broken file stops the service at start instead of failing a request. The ops pages
// are rendered completely at load; the screen template has everything but the boards bound at load.
//
// Thread-safety and lifetime: immutable after load(); any number of threads may call the const
// methods at once. The Event is only read during load() and need not outlive the Pages.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/boards.hpp"
#include "domain/boards_json.hpp"
#include "expo/core/result.hpp"
#include "expo/web/i18n.hpp"
#include "expo/web/template.hpp"

namespace expo::model {
struct Event;
}

namespace expo::leaderboard {

inline constexpr std::string_view kAssetsPrefix = "/screen/assets/";

// The screen's three boards, in the order it rotates through them.
enum class Board { innovations, regions, booths };

// The ?board= value of GET /screen: "innovations", "regions" or "booths" pins that board (no
// rotation); anything else, or none, rotates.
std::optional<Board> board_from_query(const std::optional<std::string>& value);

// How many rows each board shows: what reads from 5 m on a 16:9 screen. A board may hold more (the
// whole event's rows, or a `limit` that kept ties at the cut); the screen shows the first ones and,
// when rows beyond them share the last shown rank, a line "+N more at rank =R".
inline constexpr std::size_t kInnovationRows = 10;
inline constexpr std::size_t kRegionRows = 10;
inline constexpr std::size_t kBoothRows = 12;
// The most rows any board shows: the boards handed to screen_page() and the stream's messages
// (leaderboard.stream_rows) must carry at least this many, or screen.js draws fewer rows than the
// server did.
inline constexpr std::size_t kScreenRows = std::max({kInnovationRows, kRegionRows, kBoothRows});

// What the screen shows: the whole event's boards as the stream's "all" member has them. Only read
// during screen_page(); the spans' rows need not outlive the call.
struct ScreenState {
  std::span<const InnovationRow> innovations;
  std::span<const RegionRow> regions;
  std::span<const BoothRow> booths;
  Display display = Display::full;  // ranks_only: no count reaches the page (nor a bar that hints at one)
  bool frozen = false;
  std::string updated_at;           // RFC 3339 in event time ("2023-11-23T09:14:03+07:00"); "" unknown
  std::optional<std::string> day;   // the current event day "YYYY-MM-DD", nullopt outside the days
  std::int64_t version = 0;         // the boards' version (the stream's "version")
};

class Pages {
 public:
  // Errors: code "pages_invalid" naming the file and what is wrong.
  static Result<Pages> load(const std::filesystem::path& web_dir, const model::Event& event);

  // The folder to serve at /screen/assets/{*path}.
  static std::filesystem::path assets_dir(const std::filesystem::path& web_dir) { return web_dir / "assets"; }

  // GET /screen[?board=...]. Serve as text/html; charset=utf-8 with Cache-Control: no-store (it
  // carries the boards of the moment). Every name is HTML-escaped; with Display::ranks_only no count
  // is in the page at all.
  std::string screen_page(const ScreenState& state, std::optional<Board> pinned = std::nullopt) const;

  // GET /ops[?lang=en]. text/html; charset=utf-8, Cache-Control: no-store. The page holds no secret
  // (it asks for the admin token itself), so it needs no auth.
  const std::string& ops_page(web::Lang lang) const;

  // 16 lowercase hex digits of a SHA-256 over strings, templates and assets: asset URLs carry ?v=,
  // so the assets may be served with a long cache lifetime.
  const std::string& version() const { return version_; }

 private:
  Pages() = default;
  std::string innovation_rows(const ScreenState& state) const;
  std::string region_rows(const ScreenState& state) const;
  std::string booth_rows(const ScreenState& state) const;
  std::string more_line(std::size_t more, std::size_t rank) const;
  std::string day_label(const std::optional<std::string>& day) const;

  web::Template screen_;  // page text bound; the boards and their state are filled per request
  std::string ops_[2];    // [lang]
  // [lang], escaped once at load: the request-time texts, "+{n} ... ={rank}" and "Hari ke-{n}".
  std::string more_text_[2];
  std::string day_text_[2];
  std::map<std::string, std::string, std::less<>> region_names_;  // region id -> escaped name
  std::map<std::string, std::size_t, std::less<>> day_numbers_;   // "YYYY-MM-DD" -> 1-based
  std::string version_;
};

}  // namespace expo::leaderboard

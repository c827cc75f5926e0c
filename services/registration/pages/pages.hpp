#pragma once
// The registration service's visitor pages, rendered on the server so they read without JavaScript,
// on a slow phone and to a screen reader (register.js and badge.js only enhance them).
//
// web_dir holds templates/register.html, templates/badge.html, strings.json (id + en) and assets/
// (served separately, at /assets/, by expo::http::StaticFiles). load() reads and checks all of it once:
// every {{name}} a template uses must be one the code supplies, every data-i18n key must exist in
// both languages, so a broken file stops the service at start rather than failing a request.
// The registration page is rendered completely at load (4 variants); a badge fills only its holes.
//
// Thread-safety and lifetime: immutable after load(); any number of threads may call the const
// methods at once. The Event is only read during load() and need not outlive the Pages.

#include <filesystem>
#include <map>
#include <string>

#include "expo/core/result.hpp"
#include "expo/web/i18n.hpp"
#include "expo/web/template.hpp"

namespace expo::model {
struct Event;
}

namespace expo::registration {

struct BadgeView {
  std::string visitor_id, code, name, visitor_type, badge_token, vote_url;
};

class Pages {
 public:
  // Errors: code "pages_invalid" naming the file and what is wrong.
  static Result<Pages> load(const std::filesystem::path& web_dir, const model::Event& event);

  // GET /: the form; desk_mode is the staff variant (/?mode=desk) that prints and clears.
  const std::string& registration_page(web::Lang lang, bool desk_mode) const;
  // GET /v1/visitors/{id}/badge: the badge with the QR of badge_token. The name and every other value
  // is HTML-escaped; a token too long for a QR code gives a page without it (the code still works).
  std::string badge_page(const BadgeView& badge, web::Lang lang) const;

 private:
  Pages() = default;

  std::string registration_[2][2];  // [lang][desk]
  web::Template badge_[2];          // [lang], page text already bound
  std::map<std::string, std::string, std::less<>> visitor_types_[2];  // [lang] value -> label
  std::string qr_missing_[2];                                          // [lang]
};

}  // namespace expo::registration

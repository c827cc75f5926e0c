#include "expo/web/qr.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace expo::web {
namespace {

using Grid = std::vector<std::vector<bool>>;

// Reads the dark modules back from the path ("M{x} {y}h{n}v1h-{n}z" runs), so the test checks what a
// scanner would see, not just that some text came out.
Grid modules_of(const std::string& svg, int& size) {
  std::smatch m;
  const std::regex view_box(R"re(viewBox="0 0 (\d+) (\d+)")re");
  if (!std::regex_search(svg, m, view_box) || m[1] != m[2]) return {};
  size = std::stoi(m[1]);
  Grid grid(static_cast<std::size_t>(size), std::vector<bool>(static_cast<std::size_t>(size), false));
  const std::regex path(R"re(<path fill="#000" d="([^"]*)"/>)re");
  if (!std::regex_search(svg, m, path)) return {};
  const std::string d = m[1];
  const std::regex run(R"re(M(\d+) (\d+)h(\d+)v1h-(\d+)z)re");
  std::size_t covered = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator(); ++it) {
    const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), n = std::stoi((*it)[3]);
    EXPECT_EQ(n, std::stoi((*it)[4]));
    for (int i = 0; i < n; ++i) grid.at(static_cast<std::size_t>(y)).at(static_cast<std::size_t>(x + i)) = true;
    covered += static_cast<std::size_t>(it->length());
  }
  EXPECT_EQ(covered, d.size()) << "path has something other than runs";
  return grid;
}

// A finder pattern: 7x7 dark ring, white ring, 3x3 dark centre.
bool finder_at(const Grid& g, int x0, int y0) {
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x) {
      const bool ring = x == 0 || y == 0 || x == 6 || y == 6;
      const bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
      if (g[static_cast<std::size_t>(y0 + y)][static_cast<std::size_t>(x0 + x)] != (ring || centre)) return false;
    }
  }
  return true;
}

TEST(QrSvg, IsOneScalableSvgWithOneDarkPath) {
  auto svg = qr_svg("v1.k1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_");
  ASSERT_TRUE(svg.ok()) << svg.error().message;
  const auto& s = *svg;
  EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0), 0U);
  EXPECT_TRUE(s.ends_with("</svg>"));
  EXPECT_NE(s.find("shape-rendering=\"crispEdges\""), std::string::npos);
  const auto svg_tag = s.substr(0, s.find('>'));
  EXPECT_EQ(svg_tag.find("width"), std::string::npos) << "CSS sizes the code: " << svg_tag;
  std::size_t paths = 0;
  for (auto at = s.find("<path"); at != std::string::npos; at = s.find("<path", at + 1)) ++paths;
  EXPECT_EQ(paths, 1U);
}

TEST(QrSvg, HasFinderPatternsAndAQuietZone) {
  auto svg = qr_svg("https://example.test/vote?token=abc");
  ASSERT_TRUE(svg.ok());
  int size = 0;
  const auto g = modules_of(*svg, size);
  ASSERT_FALSE(g.empty());
  const int width = size - 8;
  // A QR code is 21 + 4k modules wide (versions 1..40).
  EXPECT_GE(width, 21);
  EXPECT_EQ((width - 21) % 4, 0);
  EXPECT_TRUE(finder_at(g, 4, 4));
  EXPECT_TRUE(finder_at(g, 4 + width - 7, 4));
  EXPECT_TRUE(finder_at(g, 4, 4 + width - 7));
  EXPECT_FALSE(finder_at(g, 4 + width - 7, 4 + width - 7));  // the fourth corner has none
  for (int i = 0; i < size; ++i) {
    for (int q = 0; q < 4; ++q) {
      const auto ui = static_cast<std::size_t>(i);
      EXPECT_FALSE(g[static_cast<std::size_t>(q)][ui] || g[static_cast<std::size_t>(size - 1 - q)][ui] ||
                   g[ui][static_cast<std::size_t>(q)] || g[ui][static_cast<std::size_t>(size - 1 - q)])
          << "quiet zone not white at " << i << "," << q;
    }
  }
}

TEST(QrSvg, SameTextSameSvgOtherTextOtherSvg) {
  auto a1 = qr_svg("ABCD2345");
  auto a2 = qr_svg("ABCD2345");
  auto b = qr_svg("ABCD2346");
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok());
  EXPECT_EQ(*a1, *a2);
  EXPECT_NE(*a1, *b);
}

TEST(QrSvg, LongerTextNeedsALargerVersion) {
  int small = 0, large = 0;
  (void)modules_of(*qr_svg("short"), small);
  (void)modules_of(*qr_svg(std::string(200, 'x')), large);
  EXPECT_EQ(small, 21 + 8);  // 5 bytes fit version 1 at level M
  EXPECT_GT(large, small);
}

TEST(QrSvg, EmptyAndOversizedTextAreErrors) {
  auto empty = qr_svg("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "qr_invalid");
  auto huge = qr_svg(std::string(5000, 'x'));  // version 40-M holds 2331 bytes
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "qr_too_long");
}

}  // namespace
}  // namespace expo::web

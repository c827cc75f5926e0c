#pragma once
// QR codes as inline SVG, made with libqrencode (error correction level M, the smallest version
// that fits, 8-bit mode so any bytes round-trip).
//
// The SVG has a white background, one <path> holding every dark module (runs of a row merged),
// a quiet zone of 4 modules, a viewBox and no width/height (so CSS sizes it), and
// shape-rendering="crispEdges" so scaled modules stay sharp for cameras. The same text always gives
// the same SVG.
//
// Thread-safe (libqrencode as Debian builds it guards its shared tables).

#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::web {

// Errors: code "qr_invalid" for empty text, "qr_too_long" when it exceeds a version-40 code.
// The result is a value, not a crash, because callers decide how a page degrades without a QR.
Result<std::string> qr_svg(std::string_view text);

}  // namespace expo::web

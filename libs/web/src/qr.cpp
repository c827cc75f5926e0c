#include "expo/web/qr.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>

namespace expo::web {
namespace {

constexpr int kQuietZone = 4;  // modules of white around the code, as ISO/IEC 18004 asks

struct QrFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

Result<std::string> qr_svg(std::string_view text) {
  if (text.empty()) return Error::permanent("qr_invalid", "cannot encode empty text as a QR code");
  errno = 0;
  const std::unique_ptr<QRcode, QrFree> code(QRcode_encodeData(
      static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M));
  if (!code) {
    if (errno == ERANGE) return Error::permanent("qr_too_long", "text too long for a QR code");
    return Error::permanent("qr_invalid", "libqrencode could not encode the text");
  }
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  const std::string sz = std::to_string(size);
  std::string svg;
  svg.reserve(static_cast<std::size_t>(width * width) * 4 + 256);
  svg += R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + sz + " " + sz +
         R"(" shape-rendering="crispEdges"><rect width=")" + sz + R"(" height=")" + sz +
         R"(" fill="#fff"/><path fill="#000" d=")";
  // One subpath per horizontal run of dark modules: far smaller than one square per module.
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = 0; x < width;) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (row[x + run] & 1) != 0) ++run;
      svg += 'M' + std::to_string(x + kQuietZone) + ' ' + std::to_string(y + kQuietZone) + 'h' + std::to_string(run) +
             "v1h-" + std::to_string(run) + 'z';
      x += run;
    }
  }
  svg += R"("/></svg>)";
  return svg;
}

}  // namespace expo::web

// The one piece of third-party code the check-in pages use: ZXing's QR reader and encoder
// (@zxing/library, Apache-2.0), bundled by build.mjs into web/assets/vendor/qr.js as a classic script
// that sets self.ExpoQr. It loads in a page (the admin page's encoder) and in a worker
// (assets/qr-worker.js, the tablet's decoder) alike, so it touches no DOM.
// Deep imports on purpose: the package's index pulls in every format (1D, PDF417, Aztec, ...), about
// four times the size of the QR parts alone.
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap';
import ChecksumException from '@zxing/library/esm/core/ChecksumException';
import DecodeHintType from '@zxing/library/esm/core/DecodeHintType';
import EncodeHintType from '@zxing/library/esm/core/EncodeHintType';
import FormatException from '@zxing/library/esm/core/FormatException';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer';
import NotFoundException from '@zxing/library/esm/core/NotFoundException';
import QRCodeDecoderErrorCorrectionLevel from '@zxing/library/esm/core/qrcode/decoder/ErrorCorrectionLevel';
import QRCodeEncoder from '@zxing/library/esm/core/qrcode/encoder/Encoder';
import QRCodeReader from '@zxing/library/esm/core/qrcode/QRCodeReader';
import RGBLuminanceSource from '@zxing/library/esm/core/RGBLuminanceSource';

const reader = new QRCodeReader();
const hints = new Map([[DecodeHintType.TRY_HARDER, true]]);

// luminance: one byte per pixel (0 black .. 255 white), row by row. Returns the QR's text, or null when
// the picture holds no readable QR code (the common case: most frames show no badge).
function decode(luminance, width, height) {
  const source = new RGBLuminanceSource(luminance, width, height);
  const bitmap = new BinaryBitmap(new HybridBinarizer(source));
  try {
    return reader.decode(bitmap, hints).getText();
  } catch (error) {
    if (error instanceof NotFoundException || error instanceof ChecksumException || error instanceof FormatException) {
      return null;
    }
    throw error;
  } finally {
    reader.reset();
  }
}

// The QR modules of text (error correction level M, UTF-8): {size, dark(x, y)}. Throws for text longer
// than a QR code holds.
function encode(text) {
  const encodeHints = new Map([[EncodeHintType.CHARACTER_SET, 'UTF-8']]);
  const matrix = QRCodeEncoder.encode(text, QRCodeDecoderErrorCorrectionLevel.M, encodeHints).getMatrix();
  const size = matrix.getWidth();
  return { size, dark: (x, y) => matrix.get(x, y) === 1 };
}

// An SVG of text's QR code: white background, a quiet zone of 4 modules, one path of dark modules,
// a viewBox and no size (CSS sizes it), crisp edges for cameras. Same shape as the server's libs/web QR.
function svg(text, title) {
  const { size, dark } = encode(text);
  const quiet = 4;
  const total = size + 2 * quiet;
  let path = '';
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (!dark(x, y)) continue;
      let run = 1;
      while (x + run < size && dark(x + run, y)) run += 1;
      path += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  const label = title ? `<title>${String(title).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</title>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges" role="img">` +
    `${label}<rect width="${total}" height="${total}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

self.ExpoQr = Object.freeze({ decode, encode, svg });

// Decodes camera frames off the page's thread with the bundled ZXing reader (vendor/qr.js, built by
// services/checkin/frontend). A message {id, width, height, buffer} (RGBA pixels) is answered with
// {id, text} where text is the QR's content or null.
'use strict';
// Same version query as this script, so the service worker's cache holds the matching copy.
self.importScripts('vendor/qr.js' + self.location.search);

self.onmessage = (event) => {
  const { id, width, height, buffer } = event.data;
  const rgba = new Uint8ClampedArray(buffer);
  const luminance = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; i < luminance.length; i += 1, p += 4) {
    // Integer BT.601 luma, green-weighted like the camera's own Y.
    luminance[i] = (rgba[p] * 77 + rgba[p + 1] * 150 + rgba[p + 2] * 29) >> 8;
  }
  let text = null;
  try {
    text = self.ExpoQr.decode(luminance, width, height);
  } catch (error) {
    text = null;  // an unreadable frame is not an error worth reporting: the next frame comes in 100 ms
  }
  self.postMessage({ id, text });
};

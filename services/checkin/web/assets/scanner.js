// Reads QR codes from the tablet's camera. Uses the browser's BarcodeDetector where it reads QR codes
// (Chrome on Android, ChromeOS, macOS), else the bundled ZXing decoder in a worker (qr-worker.js), so
// decoding never stalls the page. One frame is in flight at a time, about ten a second.
//
// ExpoScanner.start(video, {onText, onStatus}) -> {stop()}
//   onText(text)      every decoded frame (the caller decides what counts as a new scan)
//   onStatus(status)  'starting' | 'ready' | 'unavailable' | 'denied' | 'no_decoder'
(function () {
  'use strict';
  const INTERVAL_MS = 100;
  const MAX_SIDE = 800;  // frames are scaled down to this: enough for a badge held up to a tablet

  const version = document.body.dataset.version || '';

  async function nativeDetector() {
    if (!('BarcodeDetector' in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes('qr_code')) return null;
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      return async (video) => {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      };
    } catch (e) {
      return null;
    }
  }

  function workerDetector() {
    let worker;
    try {
      worker = new Worker(`/booth/assets/qr-worker.js?v=${encodeURIComponent(version)}`);
    } catch (e) {
      return null;
    }
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    let nextId = 1;
    const pending = new Map();
    let broken = false;
    worker.onmessage = (event) => {
      const resolve = pending.get(event.data.id);
      pending.delete(event.data.id);
      if (resolve) resolve(event.data.text);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      broken = true;
      pending.forEach((resolve) => resolve(null));
      pending.clear();
    };
    const detect = (video) => {
      if (broken) return Promise.reject(new Error('decoder unavailable'));
      const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      const width = Math.max(1, Math.round(video.videoWidth * scale));
      const height = Math.max(1, Math.round(video.videoHeight * scale));
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      context.drawImage(video, 0, 0, width, height);
      const pixels = context.getImageData(0, 0, width, height);
      const id = nextId;
      nextId += 1;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ id, width, height, buffer: pixels.data.buffer }, [pixels.data.buffer]);
      });
    };
    detect.broken = () => broken;
    detect.close = () => worker.terminate();
    return detect;
  }

  function start(video, { onText, onStatus }) {
    let stopped = false;
    let stream = null;
    let timer = null;
    let detect = null;

    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (stream) stream.getTracks().forEach((track) => track.stop());
      if (detect && detect.close) detect.close();
      video.srcObject = null;
    };

    const tick = async () => {
      timer = null;
      if (stopped) return;
      if (!document.hidden && video.readyState >= 2 && video.videoWidth > 0) {
        try {
          stats.frames += 1;
          const started = performance.now();
          const text = await detect(video);
          stats.lastDecodeMs = Math.round(performance.now() - started);
          if (text) stats.read += 1;
          if (text && !stopped) onText(text);
        } catch (e) {
          if (detect.broken && detect.broken()) {
            onStatus('no_decoder');
            return;
          }
        }
      }
      if (!stopped) timer = setTimeout(tick, INTERVAL_MS);
    };

    (async () => {
      onStatus('starting');
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        onStatus('unavailable');
        return;
      }
      detect = (await nativeDetector()) || workerDetector();
      if (!detect) {
        onStatus('no_decoder');
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
      } catch (error) {
        onStatus(error && (error.name === 'NotAllowedError' || error.name === 'SecurityError') ? 'denied' : 'unavailable');
        return;
      }
      if (stopped) {
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      video.srcObject = stream;
      try {
        await video.play();
      } catch (e) {
        // autoplay of a muted stream is allowed; a refusal here still leaves frames to read
      }
      onStatus('ready');
      tick();
    })();

    return { stop };
  }

  // What the camera loop has done, for the operations view and the tests: frames examined, frames
  // that held a code, and how long the last decode took.
  const stats = { frames: 0, read: 0, lastDecodeMs: null };

  window.ExpoScanner = { start, stats: () => ({ ...stats }) };
})();

// The badge page: "print" and "save image". The image is made here, in the page, from the QR the
// server rendered: a PNG with the QR, the code, the name and the event (an SVG of the QR if the
// browser cannot draw one), so nothing about the visitor travels again.
(function () {
  'use strict';
  const I = window.ExpoI18n;
  const badge = document.getElementById('badge');
  const statusBox = document.getElementById('badge-status');
  if (!badge) return;
  let saved = false;

  function renderStatus() {
    statusBox.hidden = !saved;
    statusBox.textContent = saved && I ? I.t('badge.saved') : '';
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    saved = true;
    renderStatus();
  }

  function qrSvgText(size) {
    const svg = document.querySelector('#qr svg').cloneNode(true);
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    return new XMLSerializer().serializeToString(svg);
  }

  // Greedy word wrap for canvas text.
  function lines(ctx, text, width) {
    const out = [];
    let line = '';
    text.split(/\s+/).forEach((word) => {
      const next = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(next).width > width) {
        out.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    if (line) out.push(line);
    return out;
  }

  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = url;
    });
  }

  async function pngBlob(code) {
    const W = 720;
    const QR = 560;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    const event = document.querySelector('.badge-event span').textContent.trim();
    const name = document.getElementById('visitor-name').textContent.trim();
    const type = document.querySelector('.visitor-type').textContent.trim();
    ctx.font = 'bold 30px system-ui, sans-serif';
    const eventLines = lines(ctx, event, W - 80);
    ctx.font = 'bold 40px system-ui, sans-serif';
    const nameLines = lines(ctx, name, W - 80);
    canvas.width = W;
    canvas.height = 60 + eventLines.length * 38 + 20 + QR + 110 + nameLines.length * 50 + 70;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#0b5d57';
    ctx.fillRect(0, 0, W, 16);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    let y = 60;
    ctx.fillStyle = '#07403c';
    ctx.font = 'bold 30px system-ui, sans-serif';
    eventLines.forEach((l) => { ctx.fillText(l, W / 2, y); y += 38; });
    y += 10;
    const svgUrl = URL.createObjectURL(new Blob([qrSvgText(QR)], { type: 'image/svg+xml' }));
    try {
      const img = await loadImage(svgUrl);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, (W - QR) / 2, y, QR, QR);
    } finally {
      URL.revokeObjectURL(svgUrl);
    }
    y += QR + 80;
    ctx.fillStyle = '#14201f';
    ctx.font = 'bold 72px "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace';
    ctx.fillText(code.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code, W / 2, y);
    y += 70;
    ctx.font = 'bold 40px system-ui, sans-serif';
    nameLines.forEach((l) => { ctx.fillText(l, W / 2, y); y += 50; });
    ctx.fillStyle = '#4a5756';
    ctx.font = '30px system-ui, sans-serif';
    ctx.fillText(type, W / 2, y + 6);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  }

  async function saveImage() {
    const code = badge.dataset.code || 'badge';
    let blob = null;
    try {
      blob = await pngBlob(code);
    } catch (e) {
      blob = null;
    }
    if (blob) download(blob, `badge-${code}.png`);
    else download(new Blob([qrSvgText(512)], { type: 'image/svg+xml' }), `badge-${code}.svg`);
  }

  document.getElementById('save-image').addEventListener('click', saveImage);
  document.getElementById('print').addEventListener('click', () => window.print());
  if (I) I.onChange(renderStatus);
})();

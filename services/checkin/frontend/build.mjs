// Bundles src/qr.js (and the parts of @zxing/library it uses) into ../web/assets/vendor/qr.js:
// one minified classic script, no source map, no network at run time. Rewrites the file only when
// its content changes, so the check-in service's asset version (a hash of web/) stays put.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile = path.resolve(here, '../web/assets/vendor/qr.js');

const result = await build({
  entryPoints: [path.join(here, 'src/qr.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  legalComments: 'eof',
  write: false,
  logLevel: 'warning',
});
const banner = '/* Built by services/checkin/frontend (npm run build) from @zxing/library; do not edit. */\n';
const text = banner + result.outputFiles[0].text;
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const old = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : null;
if (old !== text) fs.writeFileSync(outFile, text);
console.log(`${path.relative(process.cwd(), outFile)}: ${text.length} bytes${old === text ? ' (unchanged)' : ''}`);

// Bundles src/charts.js (and the parts of chart.js and chartjs-chart-matrix it uses) into
// ../web/assets/vendor/charts.js: one minified classic script, no source map, no network at run time.
// Rewrites the file only when its content changes, so the leaderboard's asset version (a hash of
// web/) stays put.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile = path.resolve(here, '../web/assets/vendor/charts.js');

const result = await build({
  entryPoints: [path.join(here, 'src/charts.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  legalComments: 'eof',
  write: false,
  logLevel: 'warning',
});
const banner = '/* Built by services/leaderboard/frontend (npm run build) from chart.js and chartjs-chart-matrix; do not edit. */\n';
const text = banner + result.outputFiles[0].text;
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const old = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : null;
if (old !== text) fs.writeFileSync(outFile, text);
console.log(`${path.relative(process.cwd(), outFile)}: ${text.length} bytes${old === text ? ' (unchanged)' : ''}`);

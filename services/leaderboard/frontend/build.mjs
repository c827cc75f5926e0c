// Bundles src/charts.js (and the parts of chart.js and chartjs-chart-matrix it uses) into
// ../web/assets/vendor/charts.js, the way every service's frontend is bundled (deploy/frontend).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { bundle } from '../../../deploy/frontend/bundle.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
await bundle(build, {
  entry: path.join(here, 'src/charts.js'),
  outFile: path.resolve(here, '../web/assets/vendor/charts.js'),
  banner: 'Built by services/leaderboard/frontend (npm run build) from chart.js and chartjs-chart-matrix',
});

// Bundles src/qr.js (and the parts of @zxing/library it uses) into ../web/assets/vendor/qr.js, the
// way every service's frontend is bundled (deploy/frontend).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { bundle } from '../../../deploy/frontend/bundle.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
await bundle(build, {
  entry: path.join(here, 'src/qr.js'),
  outFile: path.resolve(here, '../web/assets/vendor/qr.js'),
  banner: 'Built by services/checkin/frontend (npm run build) from @zxing/library',
});

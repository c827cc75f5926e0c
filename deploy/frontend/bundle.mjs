// One way to bundle a service's third-party browser code (services/<service>/frontend/build.mjs):
// one minified classic script, no source map, no network at run time, written only when its content
// changes, so the service's asset version (a hash of its web/ folder) stays put. The caller passes
// esbuild's build() from its own node_modules (this file lives outside any of them).
import fs from 'node:fs';
import path from 'node:path';

// entry, outFile: absolute paths; banner: the comment that opens the file.
export async function bundle(build, { entry, outFile, banner }) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2019',
    legalComments: 'eof',
    write: false,
    logLevel: 'warning',
  });
  const text = `/* ${banner}; do not edit. */\n${result.outputFiles[0].text}`;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const old = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : null;
  if (old !== text) fs.writeFileSync(outFile, text);
  console.log(`${path.relative(process.cwd(), outFile)}: ${text.length} bytes${old === text ? ' (unchanged)' : ''}`);
}

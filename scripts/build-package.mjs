// Builds the package in the current directory to ESM (dist/esm) and CommonJS (dist/cjs) with
// type declarations, into a temporary folder first and then swapped in, so that a concurrent test
// run never sees a half-built dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const tmp = '.dist-building';
rmSync(tmp, { recursive: true, force: true });
const run = (project, outDir) =>
  execFileSync(process.execPath, [tsc, '-p', project, '--outDir', outDir], { stdio: 'inherit' });
try {
  run('tsconfig.json', `${tmp}/esm`);
  if (existsSync('tsconfig.cjs.json')) {
    run('tsconfig.cjs.json', `${tmp}/cjs`);
    // dist/cjs is CommonJS inside a "type": "module" package: Node and TypeScript read this marker.
    writeFileSync(`${tmp}/cjs/package.json`, '{ "type": "commonjs" }\n');
  }
} catch {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
rmSync('dist', { recursive: true, force: true });
renameSync(tmp, 'dist');

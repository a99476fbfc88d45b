// Builds one matrix run (run from packages/nest/matrix/nestNN): compiles the shared suite
// (test/ -> ../suite) into .test-build/, and puts a copy of @pomerium-auth/nest's build at
// .test-build/node_modules/@pomerium-auth/nest. Node resolves the suite's
// `import '@pomerium-auth/nest'` to that copy first, and the copy's own `@nestjs/*` imports to
// this folder's node_modules: the NestJS major this folder depends on, not packages/nest's.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const adapter = new URL('../', import.meta.url).pathname; // packages/nest
if (!existsSync(`${adapter}dist/esm/index.js`)) {
  console.error(
    'prepare-matrix-run: build @pomerium-auth/nest first (packages/nest/dist is missing)',
  );
  process.exit(1);
}
rmSync('.test-build', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
  stdio: 'inherit',
});
const copy = '.test-build/node_modules/@pomerium-auth/nest';
mkdirSync(copy, { recursive: true });
cpSync(`${adapter}package.json`, `${copy}/package.json`);
cpSync(`${adapter}dist`, `${copy}/dist`, { recursive: true });

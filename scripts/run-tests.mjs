// Runs every compiled test file of the workspace, and the repository's checks in test/, in one
// `node --test` run, so the closing summary counts the whole suite. Each workspace package
// (pnpm-workspace.yaml) compiles its tests into `.test-build/`; `node_modules` folders inside it
// (the NestJS matrix places a copy of the adapter there) are not searched.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

/** The package folders named by pnpm-workspace.yaml (plain paths and `dir/*` patterns). */
function workspaceDirs() {
  const globs = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^\s*-\s*['"]?([^'"#\s]+)['"]?/.exec(line)?.[1])
    .filter(Boolean);
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [join(root, glob)];
    const base = join(root, glob.slice(0, -2));
    return existsSync(base) ? readdirSync(base).map((d) => join(base, d)) : [];
  });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (/\.test\.[cm]?js$/.test(name)) out.push(full);
  }
  return out;
}

// test/ at the root holds the repository's own checks (plain .mjs, nothing to compile).
const files = [
  ...workspaceDirs().flatMap((dir) => testFiles(join(dir, '.test-build'))),
  ...testFiles(join(root, 'test')).filter((f) => f.endsWith('.mjs')),
];
const selected = filter.length
  ? files.filter((f) => filter.some((p) => relative(root, f).includes(p)))
  : files;
if (selected.length === 0) {
  console.error('run-tests: no compiled test files found; run the test:build task first');
  process.exit(1);
}
// A file that hangs (a promise never settled, a server never closed) fails by name after 15
// minutes, instead of running CI into its limit with no word of which file it was; the longest
// file takes well under two minutes on a busy two-core machine.
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=4', '--test-timeout=900000', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);

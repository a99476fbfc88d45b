// Runs every compiled test file of the workspace in one `node --test` run, so the closing
// summary counts the whole suite. Test sources are compiled per package into `.test-build/`.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (/\.test\.c?js$/.test(name)) out.push(full);
  }
  return out;
}

const files = [];
// The workspace folders of pnpm-workspace.yaml: groups of packages, and single-package folders.
for (const group of ['packages', 'examples', 'bench', 'security']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  const dirs = existsSync(join(base, 'package.json')) ? [base] : readdirSync(base).map((d) => join(base, d));
  for (const dir of dirs) files.push(...testFiles(join(dir, '.test-build')));
}
const selected = filter.length ? files.filter((f) => filter.some((p) => relative(root, f).includes(p))) : files;
if (selected.length === 0) {
  console.error('run-tests: no compiled test files found; run the test:build task first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=4', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);

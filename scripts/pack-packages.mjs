// Packs every published workspace package (packages/* whose package.json is not private) into
// .packs/: the one way this repository makes tarballs. Publish them with `npm publish <tarball>`.
//
// Each package is copied to a staging folder (only what its `files` field lists) with a
// package.json rewritten for users: no `scripts` (they run monorepo tools that do not ship, and
// pnpm's publishConfig cannot remove them) and no `devDependencies`; `workspace:` ranges become the
// ranges pnpm would publish. `npm pack` then runs in the staging folder, where no lifecycle script
// exists. In the workspace, each package's `prepack` runs this script with --refuse, so a direct
// `pnpm pack` or `pnpm publish` (which would ship the monorepo's package.json) fails and says why.
//
//   node scripts/pack-packages.mjs [--out <dir>] [name-fragment...]
//   node scripts/pack-packages.mjs --refuse
//
// Writes <out>/index.json ([{ name, version, tarball, size, files }]) for the scripts that check
// and install the tarballs (check-packages.mjs, pack-smoke.mjs).
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);

if (args.includes('--refuse')) {
  console.error(
    'Packages are packed from the repository root with `node scripts/pack-packages.mjs` ' +
      '(tarballs in .packs/, published with `npm publish <tarball>`): a direct pack would ship ' +
      "the workspace's scripts, devDependencies and workspace: ranges.",
  );
  process.exit(1);
}

const outAt = args.indexOf('--out');
const out = resolve(outAt >= 0 ? args[outAt + 1] : join(root, '.packs'));
const filters = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));

const packagesDir = join(root, 'packages');
const all = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .sort()
  .map((name) => ({
    dir: join(packagesDir, name),
    manifest: JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')),
  }));
const versions = new Map(all.map((p) => [p.manifest.name, p.manifest.version]));

/** The range pnpm publishes for a `workspace:` range of a package at `version`. */
function publishedRange(range, version) {
  const spec = range.slice('workspace:'.length);
  if (spec === '*') return version;
  if (spec === '^' || spec === '~') return `${spec}${version}`;
  return spec;
}

/** The package.json users get: no workspace-only fields, no workspace: ranges. */
function publishedManifest(manifest) {
  const { scripts: _scripts, devDependencies: _devDependencies, ...published } = manifest;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    if (!published[field]) continue;
    published[field] = Object.fromEntries(
      Object.entries(published[field]).map(([dependency, range]) => {
        if (!range.startsWith('workspace:')) return [dependency, range];
        const version = versions.get(dependency);
        if (version === undefined)
          throw new Error(`${manifest.name}: ${dependency} is not a package of this workspace`);
        return [dependency, publishedRange(range, version)];
      }),
    );
  }
  return published;
}

const execFileAsync = promisify(execFile);

async function pack({ dir, manifest }, staging) {
  const stage = join(staging, manifest.name.replace(/^@/, '').replace('/', '-'));
  mkdirSync(stage, { recursive: true });
  for (const entry of manifest.files ?? []) {
    if (!existsSync(join(dir, entry)))
      throw new Error(`${manifest.name}: ${entry} (in "files") is missing; build it first`);
    cpSync(join(dir, entry), join(stage, entry), { recursive: true });
  }
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`,
  );
  const { stdout } = await execFileAsync(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', out],
    { cwd: stage, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  const [result] = JSON.parse(stdout);
  return {
    name: manifest.name,
    version: manifest.version,
    tarball: join(out, result.filename),
    size: result.size,
    files: result.entryCount,
  };
}

const selected = all.filter(
  (p) =>
    !p.manifest.private && (!filters.length || filters.some((f) => p.manifest.name.includes(f))),
);
if (selected.length === 0) {
  console.error(`pack-packages: no published package matches ${filters.join(' ')}`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const staging = mkdtempSync(join(tmpdir(), 'pomerium-auth-pack-'));
try {
  const packed = await Promise.all(selected.map((p) => pack(p, staging)));
  writeFileSync(join(out, 'index.json'), `${JSON.stringify(packed, null, 2)}\n`);
  for (const p of packed)
    console.log(`${p.name}@${p.version}: ${(p.size / 1024).toFixed(0)} KiB, ${p.files} files`);
} catch (err) {
  console.error(`pack-packages: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  rmSync(staging, { recursive: true, force: true });
}

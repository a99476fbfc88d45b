// The packed packages as a user gets them: every tarball in .packs/ (scripts/pack-packages.mjs)
// is installed with `npm install` into one fresh project outside the workspace, beside the newest
// major of each framework its peerDependencies accept, and the project in scripts/pack-smoke/
// (each README's smallest example as an app, in TypeScript) is type-checked against the packed
// declarations (skipLibCheck off) and run: 200 with an assertion minted by the packed
// @pomerium-auth/testing, 401 without, the command's verify, and every entry point from ESM and
// CommonJS. One project and one install for all packages keeps it to about a minute.
//
//   node scripts/pack-packages.mjs && node scripts/pack-smoke.mjs [--keep]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedTarballs, root } from './packed-tarballs.mjs';

const packed = packedTarballs('pack-smoke');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const rootManifest = readJson(join(root, 'package.json'));

/** The newest major a peer range accepts, as an npm spec: `^4.17.0 || ^5.0.0` → 5, `^0.6 || ^0.7` → 0.7. */
function newestMajor(range) {
  const versions = range.split('||').map((part) => {
    const [, major, minor] = /(\d+)(?:\.(\d+))?/.exec(part) ?? [];
    return [Number(major), Number(minor ?? 0)];
  });
  const [major, minor] = versions.sort((a, b) => b[0] - a[0] || b[1] - a[1])[0];
  return major === 0 ? `0.${minor}` : `${major}`;
}

// Frameworks: each required peer at its newest major (optional peers only when they are types).
const frameworks = new Map();
const peers = new Map();
for (const { name } of packed) {
  const manifest = readJson(join(root, 'packages', name.split('/')[1], 'package.json'));
  for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (peer.startsWith('@pomerium-auth/')) continue;
    peers.set(peer, newestMajor(range));
    const optional = manifest.peerDependenciesMeta?.[peer]?.optional;
    if (!optional || peer.startsWith('@types/')) frameworks.set(peer, newestMajor(range));
  }
}
// What the smoke apps need beside the required peers: the platform NestJS serves HTTP with, the
// optional peer @pomerium-auth/nest/passport loads, Hono's Node server, Passport's types, and the
// compiler and Node types the workspace itself uses.
const extras = {
  '@nestjs/platform-express': peers.get('@nestjs/core'),
  '@nestjs/passport': peers.get('@nestjs/passport'),
  '@hono/node-server': 'latest',
  '@types/passport': '1',
  typescript: rootManifest.devDependencies.typescript,
  '@types/node': rootManifest.devDependencies['@types/node'],
};
for (const [name, version] of Object.entries(extras)) if (version) frameworks.set(name, version);

/**
 * Compiles the apps with skipLibCheck off, so the packed declarations are checked as a strict
 * consumer compiles them. Errors in our sources or declarations fail; errors inside other
 * packages' declarations (the newest majors do not all compile under every setting) are counted,
 * not failed: they are not ours to fix, and a consumer meets them with or without this suite.
 */
function typeCheck() {
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', '.'], { cwd: project, encoding: 'utf8' });
  } catch (err) {
    output = String(err.stdout ?? '');
    if (!output) throw err;
  }
  const errors = output.split('\n').filter((line) => /^\S+\(\d+,\d+\): error /.test(line));
  const ours = errors.filter((line) => /^(src\/|node_modules\/@pomerium-auth\/)/.test(line));
  const theirs = [...new Set(errors.filter((l) => !ours.includes(l)).map(packageOf))];
  if (theirs.length)
    console.log(
      `pack-smoke: not ours, not failed: errors in the declarations of ${theirs.join(', ')}`,
    );
  if (ours.length) {
    console.error(ours.join('\n'));
    throw new Error('type errors');
  }
}

/** The package a node_modules path belongs to. */
function packageOf(line) {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1] ?? line;
}

const project = mkdtempSync(join(tmpdir(), 'pomerium-auth-pack-smoke-'));
const step = (label, run) => {
  const start = Date.now();
  run();
  console.log(`pack-smoke: ${label} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
};
const run = (command, args) =>
  execFileSync(command, args, { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] });

try {
  cpSync(join(root, 'scripts', 'pack-smoke'), project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'pomerium-auth-pack-smoke', private: true, type: 'module' }, null, 2)}\n`,
  );
  const specs = [...frameworks].map(([name, version]) => `${name}@${version}`);
  step(`npm install of ${packed.length} tarballs with ${specs.join(' ')}`, () =>
    run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      ...packed.map((p) => p.tarball),
      ...specs,
    ]),
  );
  step('every @pomerium-auth package from its tarball, none from the registry', () => {
    const lock = readJson(join(project, 'package-lock.json'));
    for (const [path, entry] of Object.entries(lock.packages))
      if (/(^|\/)node_modules\/@pomerium-auth\//.test(path) && !entry.resolved?.startsWith('file:'))
        throw new Error(`${path} was installed from ${entry.resolved}`);
  });
  step('tsc against the packed declarations', typeCheck);
  step('smoke requests', () => run(process.execPath, ['dist/smoke.js']));
} catch {
  console.error(`pack-smoke: failed (the project is kept at ${project})`);
  process.exit(1);
}
if (process.argv.includes('--keep')) console.log(`pack-smoke: the project is at ${project}`);
else rmSync(project, { recursive: true, force: true });

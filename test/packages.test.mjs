// What every published package (packages/* without "private") must carry, read from the
// repository as it will be packed: its Node floor, derived from what its CommonJS build needs
// and stated alike in engines and in its README; the license, changelog and metadata the
// registry shows; and README links that work on the registry's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const REPOSITORY = 'https://github.com/pomerium-auth/pomerium-auth';
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

const published = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, path: join(root, 'packages', dir) }))
  .map((p) => ({ ...p, manifest: readJson(join(p.path, 'package.json')) }))
  .filter((p) => !p.manifest.private);

// packages/cli belongs to another branch of work this round: its README's links and its prepack
// follow when that branch lands (then this entry goes).
const PENDING = {};

// The two floors, one per reason: Node 20 for the packages' own code (the compiler's lib is
// ES2023), and 20.19 where a CommonJS build loads a dependency that is ES modules only, which
// only Node's require(esm) can do (on by default from 20.19).
const FLOOR = { plain: '20', requireEsm: '20.19' };

/** The CommonJS files of a package's entry points (every `require` condition of `exports`). */
function commonJsEntries(manifest) {
  return Object.entries(manifest.exports)
    .filter(([entry]) => entry !== './package.json')
    .map(([entry, conditions]) => [entry, conditions.require.default]);
}

/**
 * Which entry points of a built package `require` cannot load without require(esm): a child
 * Node with it turned off requires each and reports ERR_REQUIRE_ESM.
 */
function entriesNeedingRequireEsm({ path, manifest }) {
  const script = `
    const out = {};
    for (const [entry, file] of ${JSON.stringify(commonJsEntries(manifest))}) {
      try { require(require('node:path').resolve(file)); out[entry] = 'loads'; }
      catch (err) { out[entry] = err.code === 'ERR_REQUIRE_ESM' ? 'needs require(esm)' : String(err); }
    }
    process.stdout.write(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ['--no-experimental-require-module', '-e', script], {
    cwd: path,
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const results = JSON.parse(child.stdout);
  for (const [entry, result] of Object.entries(results))
    assert.ok(result === 'loads' || result === 'needs require(esm)', `${entry}: ${result}`);
  return Object.keys(results).filter((entry) => results[entry] === 'needs require(esm)');
}

/** `>=20` → '20', `>=20.19` → '20.19'. */
function floorOf(engines) {
  const match = /^>=(\d+(?:\.\d+)?)$/.exec(engines ?? '');
  assert.ok(match, `engines.node is ${JSON.stringify(engines)}, not >=<version>`);
  return match[1];
}

const NODE_STATEMENT = /Node(?:\.js)? (\d+(?:\.\d+)?) or later/g;

function section(markdown, heading) {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

for (const pkg of published) {
  const { dir, path, manifest } = pkg;

  test(`${manifest.name}: engines, README and CommonJS build agree on one Node floor`, () => {
    assert.ok(
      existsSync(join(path, 'dist', 'cjs')),
      'the package must be built (pnpm build) before this test',
    );
    const needing = entriesNeedingRequireEsm(pkg);
    const floor = needing.length ? FLOOR.requireEsm : FLOOR.plain;
    assert.equal(
      floorOf(manifest.engines?.node),
      floor,
      needing.length
        ? `${needing.join(', ')} load ES modules through require(esm): the floor is ${floor}`
        : `every entry point loads without require(esm): the floor is ${floor}, nothing needs more`,
    );
    const readme = readFileSync(join(path, 'README.md'), 'utf8');
    const install = [...section(readme, 'Install').matchAll(NODE_STATEMENT)].map((m) => m[1]);
    assert.deepEqual(install, [floor], 'the Install section states the floor once');
    for (const [statement, version] of readme.matchAll(NODE_STATEMENT))
      assert.equal(version, floor, `the README says "${statement}"`);
  });

  test(`${manifest.name}: license, changelog and registry metadata`, () => {
    assert.equal(manifest.license, 'Apache-2.0');
    assert.equal(
      readFileSync(join(path, 'LICENSE'), 'utf8'),
      readFileSync(join(root, 'LICENSE'), 'utf8'),
      'packages/*/LICENSE is a copy of the root LICENSE',
    );
    for (const file of ['dist', 'README.md', 'LICENSE', 'CHANGELOG.md'])
      assert.ok(manifest.files.includes(file), `files lists ${file}`);
    assert.deepEqual(manifest.repository, {
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: `packages/${dir}`,
    });
    assert.equal(manifest.homepage, `${REPOSITORY}/tree/main/packages/${dir}#readme`);
    assert.deepEqual(manifest.bugs, { url: `${REPOSITORY}/issues` });
    const changelog = readFileSync(join(path, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /^# Changelog\n/);
    assert.ok(
      changelog.includes('\n## Unreleased\n') || changelog.includes(`\n## ${manifest.version}\n`),
      `CHANGELOG.md has an Unreleased or a ${manifest.version} section`,
    );
  });

  test(`${manifest.name}: packed only by scripts/pack-packages.mjs`, { skip: PENDING[dir] }, () => {
    assert.equal(manifest.scripts?.prepack, 'node ../../scripts/pack-packages.mjs --refuse');
  });

  for (const file of ['README.md', 'CHANGELOG.md'])
    test(
      `${manifest.name}: ${file} links work on the registry's page`,
      { skip: file === 'README.md' && PENDING[dir] },
      () => {
        const markdown = readFileSync(join(path, file), 'utf8');
        const { links, anchors } = linksAndAnchors(markdown);
        for (const link of links) {
          if (/^(https?:|mailto:)/.test(link)) continue;
          assert.ok(link.startsWith('#'), `${link}: a relative link breaks outside the repository`);
          assert.ok(anchors.has(link.slice(1)), `${link}: no such heading in ${file}`);
        }
      },
    );
}

test('the workspace needs the highest floor of its packages', () => {
  const floors = published.map((p) => floorOf(p.manifest.engines?.node));
  const highest = floors.includes(FLOOR.requireEsm) ? FLOOR.requireEsm : FLOOR.plain;
  assert.equal(floorOf(readJson(join(root, 'package.json')).engines.node), highest);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [statement, version] of readme.matchAll(NODE_STATEMENT))
    assert.ok(Object.values(FLOOR).includes(version), `the root README says "${statement}"`);
});

/** Markdown link targets outside code, and the anchors GitHub and npm give its headings. */
function linksAndAnchors(markdown) {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, (code) =>
    // Inline code keeps its text for headings' anchors, but holds no links.
    code.replace(/[[\]()]/g, ''),
  );
  const links = [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  const anchors = new Set();
  for (const [, heading] of prose.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return { links, anchors };
}

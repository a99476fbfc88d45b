// Runs in a fresh project where every packed @pomerium-auth package was installed from its
// tarball beside the newest major of its framework (scripts/pack-smoke.mjs sets it up). Each
// package's README example answers 200 to a request with an assertion minted by the packed
// testing kit and 401 to one without; the command verifies a token; every entry point loads
// from ESM and from CommonJS with the same names, and no package.json holds workspace fields.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { assertionHeaders, createTestIssuer } from '@pomerium-auth/testing';
import type { StartApp } from './serve.js';

const apps: Record<string, () => Promise<{ start: StartApp }>> = {
  express: () => import('./express-app.js'),
  koa: () => import('./koa-app.js'),
  fastify: () => import('./fastify-app.js'),
  hono: () => import('./hono-app.js'),
  nest: () => import('./nest-app.js'),
  passport: () => import('./passport-app.js'),
};

const issuer = await createTestIssuer();
const keys = await issuer.serve();
const options = {
  jwksUrl: keys.url,
  issuer: issuer.issuer,
  audience: issuer.audience,
  env: false as const,
};

try {
  for (const [name, load] of Object.entries(apps)) {
    const app = await (await load()).start(options);
    try {
      const token = issuer.mintAssertion({ sub: 'alice', groups: ['admins'] });
      const ok = await fetch(`${app.url}/me`, { headers: assertionHeaders(token) });
      assert.equal(ok.status, 200, `${name}: ${ok.status} ${await ok.clone().text()}`);
      assert.equal(((await ok.json()) as { id?: string }).id, 'alice', name);
      const refused = await fetch(`${app.url}/me`);
      assert.equal(refused.status, 401, `${name}: ${refused.status} without a credential`);
    } finally {
      await app.close();
    }
    console.log(`${name}: 200 with an assertion, 401 without`);
  }

  const cli = (args: string[]) =>
    promisify(execFile)('node_modules/.bin/pomerium-auth', args).then(
      () => 0,
      (err: { code?: number }) => err.code,
    );
  const flags = ['verify', '--jwks-url', keys.url, '--issuer', issuer.issuer];
  const valid = issuer.mintAssertion({ sub: 'alice' });
  const expired = issuer.mintAssertion({}, { now: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(await cli([...flags, '--audience', issuer.audience, valid]), 0, 'cli: valid');
  assert.equal(await cli([...flags, '--audience', issuer.audience, expired]), 1, 'cli: expired');
  console.log('cli: verify exits 0 for a valid assertion, 1 for an expired one');
} finally {
  await issuer.close();
}

const require = createRequire(import.meta.url);
for (const name of readdirSync('node_modules/@pomerium-auth')) {
  const manifest = JSON.parse(
    readFileSync(`node_modules/@pomerium-auth/${name}/package.json`, 'utf8'),
  ) as { exports: Record<string, unknown>; scripts?: unknown; devDependencies?: unknown };
  assert.equal(manifest.scripts, undefined, `${name}: the packed package.json has scripts`);
  assert.equal(manifest.devDependencies, undefined, `${name}: it has devDependencies`);
  assert.doesNotMatch(JSON.stringify(manifest), /workspace:/, `${name}: it has workspace: ranges`);
  const entries = Object.keys(manifest.exports).filter((e) => e !== './package.json');
  for (const entry of entries) {
    const specifier = `@pomerium-auth/${name}${entry.slice(1)}`;
    const esm = Object.keys((await import(specifier)) as object).sort();
    const cjs = Object.keys(require(specifier) as object).sort();
    assert.deepEqual(cjs, esm, `${specifier}: the CommonJS and ESM builds differ`);
  }
  console.log(`@pomerium-auth/${name}: ${entries.join(', ')} load from ESM and CommonJS`);
}

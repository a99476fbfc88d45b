import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esm from '@pomerium-auth/nest';
import * as esmPassport from '@pomerium-auth/nest/passport';

const require = createRequire(import.meta.url);

test('the ESM build and the CommonJS build export the same names', () => {
  const cjs = require('@pomerium-auth/nest') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
});

test('the ./passport entry point exports the same names in both builds', () => {
  const cjs = require('@pomerium-auth/nest/passport') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esmPassport).sort());
});

// Optional peers: an app without them must be able to load the main entry point. A process of
// its own, since this file loads ./passport (and with it @nestjs/passport).
for (const [format, load] of [
  ['CommonJS', "require('@pomerium-auth/nest')"],
  ['ES module', "await import('@pomerium-auth/nest')"],
] as const) {
  test(`the ${format} main entry point loads no optional peer (@nestjs/passport, passport, @pomerium-auth/passport)`, () => {
    const script = `
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(import.meta.url)});
      ${load};
      const loaded = Object.keys(require.cache).filter((p) =>
        /[\\/](@nestjs[\\/]passport|passport|@pomerium-auth[\\/]passport)[\\/]/.test(p));
      console.log(JSON.stringify(loaded));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dirname(fileURLToPath(import.meta.url)),
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out), []);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@pomerium-auth/cli';

const require = createRequire(import.meta.url);

test('the ESM build and the CommonJS build export the same names', () => {
  const cjs = require('@pomerium-auth/cli') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
});

test('the CommonJS build runs the command line too', async () => {
  const cjs = require('@pomerium-auth/cli') as typeof esm;
  let out = '';
  const code = await cjs.runCli(['--help'], { stdout: { write: (s: string) => (out += s) } });
  assert.equal(code, 0);
  assert.match(out, /Usage: pomerium-auth <command>/);
});

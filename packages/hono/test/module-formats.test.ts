import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@pomerium-auth/hono';

const require = createRequire(import.meta.url);

test('the ESM build and the CommonJS build export the same names', () => {
  const cjs = require('@pomerium-auth/hono') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
});

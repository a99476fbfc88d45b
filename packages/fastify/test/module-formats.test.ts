import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@pomerium-auth/fastify';

const require = createRequire(import.meta.url);

test('the ESM build and the CommonJS build export the same names', () => {
  const cjs = require('@pomerium-auth/fastify') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
});

test('both builds export the plugin wrapped by fastify-plugin, named for Fastify', () => {
  const cjs = require('@pomerium-auth/fastify') as typeof esm;
  for (const plugin of [esm.pomeriumAuth, cjs.pomeriumAuth]) {
    const meta = (plugin as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')];
    assert.equal((meta as { name: string }).name, '@pomerium-auth/fastify');
    assert.equal((plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')], true);
  }
});

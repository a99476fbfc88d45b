import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadedVersions } from './nest-app.js';

const { core, common, expected } = loadedVersions();

test(`the adapter runs on @nestjs/core ${core} and @nestjs/common ${common} (NestJS ${expected} run)`, () => {
  assert.equal(Number(core.split('.')[0]), expected);
  assert.equal(Number(common.split('.')[0]), expected);
});

test('the suite loads the copy of the adapter placed beside this run, not packages/nest itself', () => {
  const adapter = fileURLToPath(import.meta.resolve('@pomerium-auth/nest'));
  assert.match(
    adapter,
    /[/\\]matrix[/\\]nest\d+[/\\]\.test-build[/\\]node_modules[/\\]@pomerium-auth[/\\]nest[/\\]/,
  );
});

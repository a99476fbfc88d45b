// Runs the shared suite (matrix/suite) once per NestJS major. Each matrix folder depends on its
// own NestJS and holds a copy of this package's build where its `@nestjs/*` imports resolve to
// that version (see matrix/prepare-matrix-run.mjs); its `test:build` prepares the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const matrix = fileURLToPath(new URL('../matrix/', import.meta.url));

for (const major of [10, 11]) {
  test(`the suite passes on NestJS ${major} (express and fastify, conformance table included)`, () => {
    const build = join(matrix, `nest${major}`, '.test-build');
    assert.ok(existsSync(build), `run \`pnpm --filter @pomerium-auth/nest-matrix-nest${major} run test:build\` first`);
    const files = readdirSync(build).filter((f) => f.endsWith('.test.js')).map((f) => join(build, f));
    assert.ok(files.length >= 4, `compiled suite files in ${build}`);
    // A nested `node --test` must not believe it is a child of this runner.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], { cwd: join(matrix, `nest${major}`), env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const summary = run.stdout.split('\n').filter((l) => /^# (tests|pass|fail|cancelled|skipped)/.test(l)).join(', ');
    const failures = run.stdout.split('\n').filter((l) => /^\s*not ok/.test(l)).slice(0, 20).join('\n');
    assert.equal(run.status, 0, `NestJS ${major}: ${summary}\n${failures}\n${run.stderr.slice(0, 2000)}`);
    assert.match(run.stdout, new RegExp(`the adapter runs on @nestjs/core ${major}\\.\\d+\\.\\d+`), 'the run reports the NestJS it loaded');
    assert.match(summary, /# fail 0/);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '@pomerium-auth/demo';

test('every step of the demo behaves as it says, and the output shows the key lines', async () => {
  let text = '';
  const result = await runDemo({ output: { write: (s: string) => (text += s) }, color: false });
  const failed = result.steps.filter((s) => !s.passed).map((s) => `${s.name}: ${s.problem}`);
  assert.deepEqual(failed, []);
  assert.equal(result.passed, true);
  assert.equal(result.steps.length, 13);
  // Plain output when colour is off.
  assert.ok(!text.includes('\u001b['), 'no escape codes');
  // Each of the three service-account schemes, and the assertion.
  for (const source of [
    'x-pomerium-authorization',
    'authorization-pomerium',
    'authorization-bearer-pomerium',
    'assertion',
  ]) {
    assert.match(
      text,
      new RegExp(`audit +authenticated +initiating \\S+ +effective \\S+ +via ${source}\\n`),
    );
  }
  assert.match(
    text,
    /response +401 \{"error":"invalid_token","error_description":"The token is invalid"\}\n +audit +authentication_failed +error invalid_token\/bad_signature/,
  );
  assert.match(text, /error invalid_token\/token_expired/);
  // The audit line of the granted impersonation names the initiating and the effective user.
  assert.match(
    text,
    /audit +impersonation_granted +initiating alice +effective user_1 +grant admins +reason "ticket 42"/,
  );
  assert.match(text, /initiating bob +target user_1 +error impersonation_denied\/not_allowed/);
  assert.match(text, /error impersonation_denied\/protected_target/);
  assert.match(text, /error impersonation_denied\/forbidden_on_route/);
  assert.match(text, /error insufficient_scope\/policy_denied/);
  assert.match(text, /access_granted +initiating alice +effective user_1/);
  assert.match(text, /All 13 steps behaved as shown\.\n$/);
  for (const r of result.steps)
    assert.match(text, new RegExp(`PASS +${result.steps.indexOf(r) + 1}\\. `));
});

test('a step that does not behave as shown is reported as FAIL', async () => {
  const { judge } = await import('../dist/demo-steps.js');
  const step = {
    name: 'x',
    title: 'x',
    request: { method: 'GET' as const, path: '/', headers: {} },
    expectStatus: 200,
    expectation: '',
    expectAudit: { event: 'authenticated' as const },
  };
  assert.equal(judge(step, { status: 401, body: {}, audit: [] }), 'expected status 200, got 401');
  assert.equal(
    judge(step, { status: 200, body: {}, audit: [] }),
    'expected exactly one audit event (authenticated), got 0',
  );
  const event = {
    id: 'e1',
    time: '',
    event: 'authenticated' as const,
    request: { method: 'GET', path: '/', request_id: 'r1' },
  };
  assert.equal(
    judge(step, { status: 200, body: {}, audit: [event, event] }),
    'expected exactly one audit event (authenticated), got 2',
  );
  assert.equal(judge(step, { status: 200, body: {}, audit: [event] }), undefined);
});

test('colours only on a terminal, and never with NO_COLOR', async () => {
  const { colorWanted } = await import('../dist/demo-output.js');
  assert.equal(colorWanted({ write: () => true, isTTY: true }, {}), true);
  assert.equal(colorWanted({ write: () => true, isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorWanted({ write: () => true, isTTY: false }, {}), false);
});

// Property tests over credential extraction: whatever the headers, extractCredentials throws
// nothing but PomeriumAuthError (400 invalid_request), and what it returns is a well-formed
// compact JWS within the size bound, taken from the request itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractCredentials, PomeriumAuthError } from '@pomerium-auth/core';
import {
  carry,
  headerMap,
  headerString,
  jwsShaped,
  rawHeaders,
  wellFormedCredentials,
} from './lib/arbitraries.js';
import { fuzzParameters, SHARES } from './lib/fuzz-runs.js';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** How often each branch ran: a property whose success branch never runs proves nothing. */
interface Branches {
  refused: number;
  none: number;
  extracted: number;
}
const branches = (): Branches => ({ refused: 0, none: 0, extracted: 0 });

function check(
  headers: Record<string, string | string[]>,
  raw: string[] | undefined,
  max: number,
  seen: Branches,
): void {
  let out: ReturnType<typeof extractCredentials>;
  try {
    out = extractCredentials(raw === undefined ? { headers } : { headers, rawHeaders: raw }, max);
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.error, 'invalid_request');
    seen.refused++;
    return;
  }
  if (out.assertion === undefined && out.serviceAccount === undefined) seen.none++;
  else seen.extracted++;
  const all = Object.values(headers).flat().join('\n');
  for (const token of [out.assertion, out.serviceAccount?.token]) {
    if (token === undefined) continue;
    assert.match(token, COMPACT);
    assert.ok(token.length <= max, 'within the size bound');
    assert.ok(all.includes(token), 'taken from the request');
  }
  if (out.assertion !== undefined) assert.ok(headers['x-pomerium-jwt-assertion'] !== undefined);
  const sa = out.serviceAccount;
  if (sa?.source === 'authorization-pomerium')
    assert.ok([headers.authorization].flat()[0]!.startsWith('Pomerium '));
  if (sa?.source === 'authorization-bearer-pomerium')
    assert.ok([headers.authorization].flat()[0]!.startsWith('Bearer Pomerium-'));
  if (sa?.source === 'x-pomerium-authorization')
    assert.ok(headers['x-pomerium-authorization'] !== undefined);
}

/**
 * Each outcome must have run often enough, or the generators are not doing their job: at least
 * 10 % of the runs extract a token (the success path), at least 1 % end each other way.
 */
function assertEachBranchRan(
  seen: Branches,
  runs: number,
  t: { diagnostic(m: string): void },
): void {
  t.diagnostic(
    `refused ${seen.refused}, nothing found ${seen.none}, extracted ${seen.extracted} of ${runs}`,
  );
  assert.ok(seen.extracted >= runs * 0.1, `extracted in ${seen.extracted} of ${runs} runs`);
  assert.ok(seen.refused >= runs * 0.01, `refused in ${seen.refused} of ${runs} runs`);
  assert.ok(seen.none >= runs * 0.01, `nothing found in ${seen.none} of ${runs} runs`);
}

test('extraction over arbitrary header maps and rawHeaders: only PomeriumAuthError, only well-formed tokens', (t) => {
  const seen = branches();
  const parameters = fuzzParameters<
    [[Record<string, string | string[]>, string[] | undefined], number]
  >(SHARES.extractionHeaderMaps);
  // Hostile maps with hostile rawHeaders; maps that carry well-formed credentials as Node gives
  // them (no disagreeing raw lines); and well-formed credentials mixed into hostile maps.
  const requests = fc.oneof(
    fc.tuple(headerMap, rawHeaders),
    fc.tuple(wellFormedCredentials, fc.constant(undefined)),
    fc.tuple(
      fc.tuple(headerMap, wellFormedCredentials).map(([noise, good]) => ({ ...noise, ...good })),
      rawHeaders,
    ),
  );
  // Mostly the default bound, sometimes one small enough to refuse the tokens generated.
  const bound = fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constant(16_384));
  fc.assert(
    fc.property(requests, bound, ([headers, raw], max) => check(headers, raw, max, seen)),
    parameters,
  );
  assertEachBranchRan(seen, parameters.numRuns!, t);
});

test('extraction over arbitrary strings in each credential header', (t) => {
  const seen = branches();
  const parameters = fuzzParameters<[string, string]>(SHARES.extractionStrings);
  const value = fc.oneof(
    headerString,
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.string({ unit: 'binary-ascii', maxLength: 120 }),
    jwsShaped,
  );
  fc.assert(
    fc.property(
      fc.constantFrom(
        'assertion',
        'x-pomerium-authorization',
        'authorization-pomerium',
        'authorization-bearer-pomerium',
      ),
      value,
      (scheme, v) => check(carry(scheme, v), undefined, 16_384, seen),
    ),
    parameters,
  );
  assertEachBranchRan(seen, parameters.numRuns!, t);
});

// How many generated inputs each property gets. CI runs FUZZ_RUNS (default 100 000) in total,
// split by share between the properties; `pnpm --filter @pomerium-auth/security-suite fuzz`
// runs 1 000 000. FUZZ_SEED replays a run (fast-check prints the seed and path of a failure).
import type { Parameters } from 'fast-check';

export const FUZZ_TOTAL = Number(process.env.FUZZ_RUNS ?? 100_000);

const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** fast-check parameters for a property taking `share` of the total, each run bounded in time. */
export function fuzzParameters<T>(share: number, timeoutMs = 2_000): Parameters<T> {
  const numRuns = Math.max(1, Math.round(FUZZ_TOTAL * share));
  return {
    numRuns,
    timeout: timeoutMs,
    endOnFailure: true,
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Shares of FUZZ_TOTAL, one per property; they add up to 1. */
export const SHARES = {
  extractionHeaderMaps: 0.25,
  extractionStrings: 0.1,
  verifyHeaderMaps: 0.12,
  verifyJwsShaped: 0.15,
  verifyMutated: 0.18,
  grantsExplain: 0.1,
  grantsAuthenticate: 0.05,
  grantsPatterns: 0.05,
} as const;

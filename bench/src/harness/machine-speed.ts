import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { median } from './measure.js';

const SAMPLES = 15;
const CALLS_PER_SAMPLE = 200;

/**
 * How fast this machine is at the moment: microseconds per ES256 `crypto.verify` in a quiet
 * loop on this thread (the median of 15 samples of 200 calls, about 0.3 s). On a virtual
 * machine the host's other work changes this by more than the ratios the bench judges (the
 * 2-vCPU machine of the recorded runs measured 59 µs per verify by `openssl speed` on one day
 * and 97 µs on another), and it does not show as steal time; the bench reads it before and
 * after the HTTP phase and prints both, so that a run made on a slowed host can be told apart.
 *
 * @example
 * ```ts
 * console.log(`ES256 verify: ${es256VerifyMicros().toFixed(1)} µs`);
 * ```
 */
export function es256VerifyMicros(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
  const data = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJtYWNoaW5lLXNwZWVkIn0');
  const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const perCall: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) {
      if (!verify('sha256', data, key, signature))
        throw new Error('machine-speed probe: verify failed');
    }
    perCall.push(Number(process.hrtime.bigint() - start) / 1000 / CALLS_PER_SAMPLE);
  }
  return median(perCall);
}

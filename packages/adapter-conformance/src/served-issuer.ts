import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';

/** A test issuer with its keys served, and the options an adapter's own tests start from. */
export interface ServedIssuer {
  issuer: TestIssuer;
  /**
   * Core's options for it: its JWKS URL (on 127.0.0.1), issuer and audience, no environment, no
   * audit, start-up warnings silenced; then `more` (or what `more(issuer)` gives).
   */
  options: PomeriumAuthOptions;
}

/**
 * Creates a test issuer, serves its keys on 127.0.0.1 and gives the options every adapter test
 * file starts from (close it with `issuer.close()`).
 *
 * @example
 * ```ts
 * const { issuer, options } = await servedIssuer((issuer) => ({ sharedSecret: issuer.sharedSecret }));
 * after(() => issuer.close());
 * ```
 */
export async function servedIssuer(
  more: PomeriumAuthOptions | ((issuer: TestIssuer) => PomeriumAuthOptions) = {},
): Promise<ServedIssuer> {
  const issuer = await createTestIssuer();
  const keys = await issuer.serve();
  return {
    issuer,
    options: {
      jwksUrl: keys.url,
      issuer: issuer.issuer,
      audience: issuer.audience,
      env: false,
      audit: false,
      logger: { warn: () => undefined },
      ...(typeof more === 'function' ? more(issuer) : more),
    },
  };
}

/** What every benchmark server is configured with: the same keys, issuer and audience for every verifier. */
export interface HttpConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  sharedSecret: string;
  /** The assertion signing key's public half, as SPKI PEM (for verifiers that take a static key). */
  publicPem: string;
}

/** The impersonation grant of the benchmark servers: admins may act as `target_*` users. */
export const BENCH_GRANTS = [
  { name: 'bench-admins', initiators: ['group:admins'], targets: ['target_*'] },
];

/**
 * The three-rule policy of the policy case, in Pomerium's policy language: admins, GET only, and
 * one user denied. Every assertion of the load passes it (users `user_<i>` of `admins`).
 */
export const BENCH_POLICY = `
allow:
  and:
    - groups:
        has: admins
    - http_method:
        is: GET
deny:
  or:
    - email:
        is: mallory@corp.example
`;

/** Path every benchmark server answers on. */
export const BENCH_PATH = '/whoami';

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

/**
 * The variants of the variants servers, chosen per request by the `x-bench-variant` header: the
 * same `pomeriumAuth` with nothing more (`none`, and `again`, the very same middleware: what two
 * variants differ by when nothing differs), with a policy, with an audit sink. One server runs
 * the first three, another `none` and `pino`: pino's work on the same thread left the other
 * variants' spans some 30 % longer than alone, swamping what a policy costs.
 */
export const BENCH_VARIANTS = ['none', 'again', 'policy', 'pino'] as const;
export type BenchVariant = (typeof BENCH_VARIANTS)[number];

/** The variants each variants server runs. */
export const POLICY_VARIANTS: readonly BenchVariant[] = ['none', 'again', 'policy'];
export const AUDIT_VARIANTS: readonly BenchVariant[] = ['none', 'pino'];

/** Path every benchmark server answers on. */
export const BENCH_PATH = '/whoami';

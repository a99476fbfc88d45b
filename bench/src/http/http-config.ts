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

/** Path every benchmark server answers on. */
export const BENCH_PATH = '/whoami';

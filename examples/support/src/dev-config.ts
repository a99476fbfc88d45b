import type {
  AuditEvent,
  DirectoryUser,
  Grant,
  PomeriumAuthOptions,
  ServiceAccountRecord,
} from '@pomerium-auth/core';

/**
 * ⚠️ DEVELOPMENT ONLY — a TEST shared secret, published in this repository. It decodes to the
 * text "DEV ONLY test secret - NOT PROD!". Never configure it on a real Pomerium: in production
 * read Pomerium's `shared_secret` from your secret store (`POMERIUM_SHARED_SECRET`).
 */
export const DEV_SHARED_SECRET = 'REVWIE9OTFkgdGVzdCBzZWNyZXQgLSBOT1QgUFJPRCE=';

/** Who may impersonate whom: admins may act as any `user_*` and as members of `support`. */
export const DEV_GRANTS: Grant[] = [
  { name: 'admins', initiators: ['group:admins'], targets: ['user_*', 'group:support'] },
];

/** Nobody may act as root or as an admin. */
export const DEV_PROTECT: string[] = ['root', 'group:admins'];

/** The demo's users (impersonation targets must exist; service accounts take their user's groups). */
export const DEV_USERS: DirectoryUser[] = [
  { id: 'alice', email: 'alice@example.com', name: 'Alice Admin', groups: ['admins'] },
  { id: 'bob', email: 'bob@example.com', name: 'Bob Builder', groups: ['staff'] },
  { id: 'user_1', email: 'user1@example.com', name: 'User One', groups: ['staff'] },
  { id: 'carol', email: 'carol@example.com', name: 'Carol Support', groups: ['support'] },
  { id: 'root', groups: ['ops'] },
  { id: 'svc-reports', email: 'reports-bot@example.com', groups: ['machines'] },
];

/** The demo's service accounts: `sa-reports` acts as the user `svc-reports`. */
export const DEV_SERVICE_ACCOUNTS: ServiceAccountRecord[] = [
  { id: 'sa-reports', userId: 'svc-reports', description: 'nightly reports' },
];

/** Audit to the console as JSON lines. */
export const devAudit = (event: AuditEvent): void => {
  console.log(JSON.stringify(event));
};

/** Where the (dev) assertion keys are, and whom the assertions are for. */
export interface DevKeys {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/**
 * The example's options: the dev secret, grants, users and console audit, with the key set of a
 * local test issuer. Anything in `overrides` wins.
 *
 * @example
 * ```ts
 * const app = createApp(devOptions({ jwksUrl: keys.url, issuer: issuer.issuer, audience: issuer.audience }));
 * ```
 */
export function devOptions(
  keys: DevKeys,
  overrides: Partial<PomeriumAuthOptions> = {},
): PomeriumAuthOptions {
  const users = new Map(
    DEV_USERS.flatMap((u) => [[u.id, u] as const, ...(u.email ? [[u.email, u] as const] : [])]),
  );
  const accounts = new Map(DEV_SERVICE_ACCOUNTS.map((a) => [a.id, a]));
  return {
    ...keys,
    sharedSecret: DEV_SHARED_SECRET,
    directory: (name) => users.get(name) ?? users.get(name.toLowerCase()) ?? null,
    serviceAccounts: (id) => accounts.get(id) ?? null,
    impersonation: { grants: DEV_GRANTS, protect: DEV_PROTECT },
    audit: devAudit,
    env: false,
    ...overrides,
  };
}

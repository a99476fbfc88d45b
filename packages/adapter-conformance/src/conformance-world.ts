import type {
  AuditEvent,
  DirectoryUser,
  Grant,
  PolicyDocument,
  PomeriumAuthOptions,
  ServiceAccountRecord,
} from '@pomerium-auth/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { AUDIT_CHANNEL, deriveSigningKey } from '@pomerium-auth/core';
import { conformanceContext } from './conformance-context.js';
import {
  createTestIssuer,
  importSigningKey,
  startJwksServer,
  type JwksServer,
  type TestIssuer,
  type TestSigningKey,
} from '@pomerium-auth/testing';

/** The directory every conformance app uses: initiators, targets and the service account's user. */
export const CONFORMANCE_USERS: readonly DirectoryUser[] = Object.freeze([
  { id: 'alice', email: 'alice@corp.example', groups: ['admins'] },
  { id: 'erin', email: 'erin@corp.example', groups: ['admins', 'helpdesk'] },
  { id: 'dave', email: 'dave@corp.example', groups: ['helpdesk'] },
  { id: 'frank', email: 'frank@corp.example', groups: ['auditors'] },
  { id: 'bob', email: 'bob@corp.example', groups: ['staff'] },
  { id: 'user_1', email: 'user1@corp.example', groups: ['staff'] },
  { id: 'user_2', email: 'user2@corp.example', groups: ['staff'] },
  { id: 'user_admin', email: 'user-admin@corp.example', groups: ['admins'] },
  { id: 'carol', email: 'carol@corp.example', groups: ['support'] },
  { id: 'root', groups: ['ops'] },
  { id: 'svc-bot', email: 'bot@corp.example', groups: ['machines'] },
]);

/** Service-account records: `sa-bot` acts as `svc-bot`; `sa-expired` has run out. */
export const CONFORMANCE_SERVICE_ACCOUNTS: readonly ServiceAccountRecord[] = Object.freeze([
  { id: 'sa-bot', userId: 'svc-bot' },
  { id: 'sa-expired', userId: 'svc-bot', expiresAt: new Date('2020-01-01T00:00:00Z') },
]);

/** The global grants: admins act as `user_*`, as members of `support` and (refused by `protect`) as root. */
export const CONFORMANCE_GRANTS: readonly Grant[] = Object.freeze([
  {
    name: 'admins',
    initiators: ['group:admins'],
    targets: ['user_*', 'group:support', 'root'],
    groups: ['staff'],
  },
  { name: 'auditors', initiators: ['group:auditors'], targets: ['user_*'], readOnly: true },
]);

/** Nobody may act as root or as a member of `admins`. */
export const CONFORMANCE_PROTECT: readonly string[] = Object.freeze(['root', 'group:admins']);

/**
 * The grants of `/route-grants` (give them to `allowImpersonation`): the helpdesk may act as
 * `user_*`, read-only. Placed before the route's authentication they replace the global grants;
 * after app-wide authentication they can only narrow.
 */
export const CONFORMANCE_ROUTE_GRANTS: Grant[] = [
  { name: 'helpdesk', initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true },
];

/**
 * The policy of `/policy` (give it to the adapter's `requirePolicy`): members of `staff` only.
 * `bob`, `user_1` and `user_2` are in it; `alice` (admins) is not, but acting as `user_1` she is
 * subject to `user_1`'s policies, and passes.
 */
export const CONFORMANCE_POLICY = Object.freeze({
  allow: { or: [{ groups: { has: 'staff' } }] },
}) as PolicyDocument;

/**
 * The app-wide policy of option set `app-policy`: every authenticated user but those in
 * `auditors`, and nobody whose email ends with `@evil.example`.
 */
export const CONFORMANCE_APP_POLICY = `
allow:
  or:
    - authenticated_user: true
deny:
  or:
    - groups:
        has: auditors
    - email:
        ends_with: "@evil.example"
`;

/**
 * The option sets the table starts apps with. `default` is the base; the others change one thing.
 */
export type ConformanceConfig =
  | 'default'
  | 'optional'
  | 'sg-header'
  | 'require-reason'
  | 'keys-down'
  | 'derived-key'
  | 'next'
  | 'app-policy'
  | 'channels';

/** Keys, key servers and the audit trail shared by one run of the table. */
export interface ConformanceWorld {
  issuer: TestIssuer;
  /** The key Pomerium derives from the shared secret, as a signing key of the test kit. */
  derivedKey: TestSigningKey;
  /** Every audit event any app delivered through the `audit` option. */
  events: AuditEvent[];
  /** The async context each event was delivered in, by event id: to the sink, and to a channel subscriber. */
  contexts: Map<string, { sink: string | undefined; channel: string | undefined }>;
  options(config: ConformanceConfig): PomeriumAuthOptions;
  close(): Promise<void>;
}

const byName = new Map<string, DirectoryUser>();
for (const user of CONFORMANCE_USERS) {
  byName.set(user.id, user);
  if (user.email) byName.set(user.email.toLowerCase(), user);
}
const accounts = new Map(CONFORMANCE_SERVICE_ACCOUNTS.map((a) => [a.id, a]));

/** Creates the issuer, a working key server and one that is down. */
export async function createConformanceWorld(): Promise<ConformanceWorld> {
  const issuer = await createTestIssuer();
  const keys = await issuer.serve();
  const down: JwksServer = await startJwksServer({ jwks: issuer.jwks() });
  down.fault('error');
  const derived = deriveSigningKey(issuer.sharedSecret);
  const derivedKey = await importSigningKey(derived.privateKey, 'ES256', derived.kid);
  const events: AuditEvent[] = [];
  const contexts = new Map<string, { sink: string | undefined; channel: string | undefined }>();
  const onChannel = (message: unknown): void => {
    const event = message as AuditEvent;
    contexts.set(event.id, { sink: undefined, channel: conformanceContext.getStore() });
  };
  subscribe(AUDIT_CHANNEL, onChannel);
  const base: PomeriumAuthOptions = {
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    sharedSecret: issuer.sharedSecret,
    maxTokenBytes: 4096,
    serviceAccounts: (id) => accounts.get(id) ?? null,
    directory: (name) => byName.get(name) ?? byName.get(name.toLowerCase()) ?? null,
    impersonation: { grants: [...CONFORMANCE_GRANTS], protect: [...CONFORMANCE_PROTECT] },
    audit: (event) => {
      events.push(event);
      const seen = contexts.get(event.id) ?? { sink: undefined, channel: undefined };
      contexts.set(event.id, { ...seen, sink: conformanceContext.getStore() });
    },
    env: false,
    cache: false,
    jwks: { timeout: 2000, cooldown: 0 },
    logger: { warn: () => undefined },
  };
  const impersonation = base.impersonation as object;
  return {
    issuer,
    derivedKey,
    events,
    contexts,
    options(config) {
      switch (config) {
        case 'default':
          return { ...base };
        case 'optional':
          return { ...base, required: false };
        case 'sg-header':
          return { ...base, impersonation: { ...impersonation, header: 'sg_impersonate_as' } };
        case 'require-reason':
          return { ...base, impersonation: { ...impersonation, requireReason: true } };
        case 'keys-down':
          return { ...base, jwksUrl: down.url };
        case 'derived-key': {
          const { jwksUrl: _unused, ...rest } = base;
          return { ...rest, deriveAssertionKey: true };
        }
        case 'next':
          return { ...base, onError: 'next' };
        case 'app-policy':
          return { ...base, policy: CONFORMANCE_APP_POLICY };
        case 'channels':
          return {
            ...base,
            sources: ['assertion', 'service-account', 'bearer-assertion', 'cookie'],
            assertionFor: true,
            claimHeaders: 'verify',
          };
      }
    },
    async close() {
      unsubscribe(AUDIT_CHANNEL, onChannel);
      await Promise.all([issuer.close(), down.close()]);
    },
  };
}

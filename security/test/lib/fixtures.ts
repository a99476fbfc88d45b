// Shared fixtures of the security suite: one ES256 and one RS256 issuer for the route host
// app.example.com behind one loopback key server, an attacker's keys, a directory, and the
// option sets the attack table runs against.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  AUDIT_CHANNEL,
  type AuditEvent,
  type DirectoryUser,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  createTestIssuer,
  generateSigningKey,
  signJwt,
  startJwksServer,
  type JwksServer,
  type TestIssuer,
  type TestSigningKey,
} from '@pomerium-auth/testing';

export const HOST = 'app.example.com';
/** A host with a `k`, for look-alikes of it (the Kelvin sign U+212A lower-cases to `k`). */
export const KIOSK = 'kiosk.example.com';

/** The directory: ids compare exactly, emails case-insensitively. */
export const USERS: DirectoryUser[] = [
  { id: 'admin', email: 'admin@corp.example', groups: ['admins'] },
  { id: 'boss', email: 'Boss@Corp.example', groups: ['staff'] },
  { id: 'bob', email: 'bob@corp.example', groups: ['staff'] },
  { id: 'helper', email: 'helper@corp.example', groups: ['support'] },
  { id: 'auditor', groups: [] },
  { id: 'ops', groups: [] },
  { id: 'superuser', groups: [] },
  { id: 'user_1', email: 'user_1@corp.example', groups: ['customers'] },
  { id: 'user_2', groups: [] },
  { id: 'user_12', groups: [] },
  { id: 'xuser_1', groups: [] },
  { id: 'dave', groups: ['customers'] },
  { id: 'root', email: 'root@corp.example', groups: [] },
  { id: 'carol', groups: ['admins'] },
  { id: 'svc-abc', groups: [] },
  { id: 'svc-a', groups: [] },
  { id: 'svc-a-admin', groups: [] },
  { id: 'xsvc-abc', groups: [] },
];

export function directoryLookup(idOrEmail: string): DirectoryUser | null {
  return (
    USERS.find((u) => u.id === idOrEmail) ??
    USERS.find(
      (u) => idOrEmail.includes('@') && u.email?.toLowerCase() === idOrEmail.toLowerCase(),
    ) ??
    null
  );
}

export const GRANTS = [
  {
    name: 'support',
    initiators: ['admin', 'Boss@Corp.example', 'group:support'],
    targets: ['user_*', '/svc-[a-z]+/', 'group:customers'],
    groups: ['viewers'],
  },
  { name: 'audit', initiators: ['auditor'], targets: ['user_?'], readOnly: true },
  { name: 'ops', initiators: ['ops'], targets: ['/svc-a|svc-b/'] },
  { name: 'super', initiators: ['superuser'], targets: ['*'] },
];
export const PROTECT = ['admin', 'root*', 'group:admins'];

/** Service-account records (option `serviceAccounts`), mutable so tests can revoke. */
export const ACCOUNTS = new Map<string, { id: string; userId: string; expiresAt?: Date }>([
  ['sa-bot', { id: 'sa-bot', userId: 'bot' }],
  ['sa-old', { id: 'sa-old', userId: 'bot', expiresAt: new Date(Date.now() - 60_000) }],
]);

export type AuthName =
  | 'main'
  | 'nodir'
  | 'legacy'
  | 'age'
  | 'reason'
  | 'off'
  | 'records'
  | 'optional'
  | 'saOnly'
  | 'small'
  | 'skew'
  | 'kiosk';

/** Audit events seen: from the `audit` option and from the diagnostics channel. */
export interface AuditCollector {
  sink: AuditEvent[];
  channel: AuditEvent[];
  clear(): void;
  close(): void;
}

export function collectAudit(): AuditCollector {
  const collector: AuditCollector = {
    sink: [],
    channel: [],
    clear() {
      collector.sink.length = 0;
      collector.channel.length = 0;
    },
    close() {
      unsubscribe(AUDIT_CHANNEL, onMessage);
    },
  };
  const onMessage = (message: unknown): void => void collector.channel.push(message as AuditEvent);
  subscribe(AUDIT_CHANNEL, onMessage);
  return collector;
}

export interface Fixtures {
  es: TestIssuer;
  rs: TestIssuer;
  evil: TestSigningKey;
  keys: JwksServer;
  now: number;
  /** Options of each configuration the attack table names; `audit` goes to `collector.sink`. */
  options(name: AuthName, audit?: (event: AuditEvent) => void): PomeriumAuthOptions;
  /** A valid ES256 assertion for `sub` (default alice), claims overriding. */
  assertion(
    claims?: Record<string, unknown>,
    opts?: { now?: number; lifetime?: number; header?: Record<string, unknown> },
  ): string;
  /** Pomerium's assertion claims for alice, to sign by hand. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Signs anything with the ES256 key (header `alg`/`kid` default to the key's). */
  es256(
    payload: Record<string, unknown> | string,
    header?: Record<string, unknown>,
    key?: TestSigningKey,
  ): string;
  /** Signs anything HS256 with the decoded shared secret. */
  hs256(payload: Record<string, unknown> | string, header?: Record<string, unknown>): string;
  /** Today's service-account token. */
  sa(
    id?: string,
    userId?: string,
    extra?: { expiresAt?: Date | number; issuedAt?: Date | number },
  ): string;
  /** A historic pomerium-cli token. */
  legacy(opts?: Parameters<TestIssuer['mintLegacyServiceAccountToken']>[0]): string;
  close(): Promise<void>;
}

const quiet = { warn: () => undefined };

export async function createFixtures(): Promise<Fixtures> {
  const es = await createTestIssuer({ host: HOST });
  const rs = await createTestIssuer({ host: HOST, alg: 'RS256', sharedSecret: es.sharedSecret });
  const evil = await generateSigningKey('ES256');
  const keys = await startJwksServer({
    jwks: () => ({ keys: [...es.jwks().keys, ...rs.jwks().keys] }),
  });
  const now = Math.floor(Date.now() / 1000);
  const esKey = es.keys[0]!;

  const base = (audit?: (event: AuditEvent) => void): PomeriumAuthOptions => ({
    env: false,
    sharedSecret: es.sharedSecret,
    jwksUrl: keys.url,
    issuer: HOST,
    audience: HOST,
    impersonation: { grants: GRANTS, protect: PROTECT },
    directory: directoryLookup,
    logger: quiet,
    ...(audit ? { audit } : {}),
  });

  const fixtures: Fixtures = {
    es,
    rs,
    evil,
    keys,
    now,
    options(name, audit) {
      const o = base(audit);
      switch (name) {
        case 'main':
          return o;
        case 'nodir': {
          const { directory: _directory, ...rest } = o;
          return rest;
        }
        case 'legacy':
          return { ...o, sharedSecretEncoding: 'legacy-raw' };
        case 'age':
          return { ...o, maxTokenAge: 60 };
        case 'reason':
          return { ...o, impersonation: { grants: GRANTS, protect: PROTECT, requireReason: true } };
        case 'off':
          return { ...o, impersonation: false };
        case 'records':
          return { ...o, serviceAccounts: (id: string) => ACCOUNTS.get(id) ?? null };
        case 'optional':
          return { ...o, required: false };
        case 'saOnly':
          return { ...o, sources: ['service-account'] };
        case 'skew':
          return { ...o, clockTolerance: 120 };
        case 'kiosk':
          return { ...o, issuer: KIOSK, audience: KIOSK };
        case 'small':
          return { ...o, maxTokenBytes: 4096 };
      }
    },
    assertion(claims = {}, opts = {}) {
      return es.mintAssertion({ sub: 'alice', email: 'alice@corp.example', ...claims }, opts);
    },
    claims(extra = {}) {
      return {
        iss: HOST,
        aud: HOST,
        iat: now,
        exp: now + 300,
        sub: 'alice',
        user: 'alice',
        email: 'alice@corp.example',
        groups: [],
        ...extra,
      };
    },
    es256(payload, header = {}, key = esKey) {
      return signJwt(
        { alg: 'ES256', kid: key.kid, typ: 'JWT', ...header },
        payload,
        key.privateKey,
        { signingAlg: 'ES256' },
      );
    },
    hs256(payload, header = {}) {
      return signJwt({ alg: 'HS256', typ: 'JWT', ...header }, payload, es.sharedSecretBytes, {
        signingAlg: 'HS256',
      });
    },
    sa(id = 'sa-bot', userId = 'bot', extra = {}) {
      return es.mintServiceAccountToken({ id, userId, ...extra });
    },
    legacy(opts = {}) {
      return es.mintLegacyServiceAccountToken(opts);
    },
    async close() {
      await keys.close();
      await es.close();
      await rs.close();
    },
  };
  return fixtures;
}

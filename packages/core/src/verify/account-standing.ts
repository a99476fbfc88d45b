import { InvalidTokenError } from '../errors.js';
import type { Principal } from '../identity.js';
import { andThen, boundedCall, boundedLookup, type Maybe } from '../lookups/bounded-lookup.js';
import type {
  Lookup,
  NamespaceRecord,
  RevocationCheck,
  ServiceAccountRecord,
  VerifiedCredentialInfo,
} from '../options.js';
import type { AuthRequest } from '../request.js';
import type { VerifiedCredential } from './verified-credential.js';

/** What decides, on every request, whether a verified credential still stands. */
export interface StandingRules {
  serviceAccounts?: Lookup<ServiceAccountRecord>;
  /** This service's namespace: accounts from it or an ancestor pass. */
  namespace?: string;
  namespaces?: Lookup<NamespaceRecord>;
  isRevoked?: RevocationCheck;
  /** Milliseconds each lookup may take. */
  lookupTimeout: number;
}

/** A namespace tree deeper than this is taken as broken (a cycle the set missed, or hostile data). */
const MAX_NAMESPACE_DEPTH = 64;

/**
 * Checks, on every request and whether or not the token was cached, that the credential still
 * stands: today's service-account tokens against their account record (it exists, has not
 * expired, still belongs to the token's user, and lives in this service's namespace or an
 * ancestor of it), and every credential against the `isRevoked` hook. Sets
 * `principal.namespace` from the record. Synchronous when the lookups are (a records source
 * answers from memory).
 */
export function checkStanding(
  credential: VerifiedCredential,
  rules: StandingRules,
  request: AuthRequest,
  nowSeconds = Date.now() / 1000,
): Maybe<void> {
  const principal = credential.principal;
  const record =
    credential.current && rules.serviceAccounts
      ? andThen(
          boundedLookup(
            rules.serviceAccounts,
            principal.serviceAccountId!,
            'service account',
            rules.lookupTimeout,
          ),
          (found) => checkRecord(found, principal, rules, nowSeconds),
        )
      : undefined;
  if (!rules.isRevoked) return record;
  return andThen(record, () => checkRevocation(credential, rules, request));
}

function checkRecord(
  record: ServiceAccountRecord | null | undefined,
  principal: Principal,
  rules: StandingRules,
  nowSeconds: number,
): Maybe<void> {
  const accountId = principal.serviceAccountId!;
  if (!record) {
    throw new InvalidTokenError(
      'unknown_service_account',
      `no service account ${JSON.stringify(accountId)}`,
    );
  }
  const expiresAt = recordExpiry(record.expiresAt);
  if (expiresAt !== undefined && expiresAt <= nowSeconds) {
    throw new InvalidTokenError(
      'service_account_expired',
      `service account ${JSON.stringify(accountId)} expired`,
    );
  }
  if (record.userId !== principal.id) {
    throw new InvalidTokenError(
      'service_account_mismatch',
      `service account ${JSON.stringify(accountId)} belongs to another user`,
    );
  }
  const namespace =
    typeof record.namespace === 'string' && record.namespace ? record.namespace : undefined;
  if (namespace !== undefined) principal.namespace = namespace;
  if (rules.namespace === undefined) return;
  return andThen(usableIn(namespace, rules), (usable) => {
    if (!usable) {
      throw new InvalidTokenError(
        'namespace_mismatch',
        `service account ${JSON.stringify(accountId)} is in namespace ${JSON.stringify(namespace ?? null)}, not ${JSON.stringify(rules.namespace)} or an ancestor of it`,
      );
    }
  });
}

/**
 * Whether an account created in `namespace` may be used in this service's namespace: it is that
 * namespace or one of its ancestors (an account works in its namespace and the children of it).
 * A record without a namespace belongs nowhere and is refused.
 */
function usableIn(namespace: string | undefined, rules: StandingRules): Maybe<boolean> {
  if (namespace === undefined) return false;
  if (namespace === rules.namespace) return true;
  const namespaces = rules.namespaces;
  if (!namespaces) return false;
  const seen = new Set<string>();
  const climb = (id: string): Maybe<boolean> => {
    if (seen.has(id) || seen.size >= MAX_NAMESPACE_DEPTH) return false;
    seen.add(id);
    return andThen(boundedLookup(namespaces, id, 'namespace', rules.lookupTimeout), (found) => {
      const parent = found && typeof found.parentId === 'string' ? found.parentId : undefined;
      if (!parent) return false;
      return parent === namespace ? true : climb(parent);
    });
  };
  return climb(rules.namespace!);
}

function checkRevocation(
  credential: VerifiedCredential,
  rules: StandingRules,
  request: AuthRequest,
): Maybe<void> {
  const info = credentialInfo(credential);
  const check = rules.isRevoked!;
  return andThen(
    boundedCall(() => check(info, request), 'isRevoked', rules.lookupTimeout),
    (revoked) => {
      if (revoked !== false) {
        // Anything but an explicit false (true, undefined, a string) refuses: the hook fails closed.
        throw new InvalidTokenError(
          'revoked',
          `isRevoked refused ${JSON.stringify(info.principal.id)}`,
        );
      }
    },
  );
}

/** What `isRevoked` is shown of a verified credential. */
export function credentialInfo(credential: VerifiedCredential): VerifiedCredentialInfo {
  const p = credential.principal;
  const info: VerifiedCredentialInfo = {
    source: credential.source,
    principal: p,
    claims: p.claims,
  };
  if (p.serviceAccountId !== undefined) info.serviceAccountId = p.serviceAccountId;
  if (credential.exp !== undefined) info.expiresAt = new Date(credential.exp * 1000);
  return info;
}

/**
 * An account record's expiry in seconds, `undefined` for never. As Pomerium does
 * (`ServiceAccount.Validate`), an expiry whose year is 1970 or earlier means "never expires":
 * an unset timestamp reads as the epoch. An expiry that cannot be read is taken as passed: fail
 * closed.
 */
export function recordExpiry(value: ServiceAccountRecord['expiresAt']): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value < 1e12
          ? value * 1000
          : value
        : Date.parse(value);
  if (!Number.isFinite(ms)) return 0;
  if (new Date(ms).getUTCFullYear() <= 1970) return undefined;
  return ms / 1000;
}

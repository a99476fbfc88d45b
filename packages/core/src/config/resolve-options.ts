import { MAX_TIMER_MS, optionalBoolean, refuseUnknownKeys, timerDelay } from './option-checks.js';
import type { KeyObject } from 'node:crypto';
import { createAuditTrail, type AuditTrail } from '../audit/audit-trail.js';
import { PomeriumAuthConfigError } from '../errors.js';
import {
  compileImpersonationRules,
  type ImpersonationRules,
} from '../impersonation/impersonation-rules.js';
import { deriveSigningKey } from '../keys/derive-signing-key.js';
import { RemoteKeySet } from '../keys/remote-key-set.js';
import { sharedSecretBytes, sharedSecretKey } from '../keys/shared-secret.js';
import {
  importVerificationKey,
  KeyImportError,
  type AssertionAlgorithm,
  type VerificationKey,
} from '../keys/verification-key.js';
import { compileClaimHeaders, type ClaimHeaderRules } from '../credentials/claim-headers.js';
import type { NamedPolicy } from '../decide/apply-policy.js';
import { normalizeIssuer } from '../jwt/claims.js';
import { compilePolicy, isCompiledPolicy } from '../policy/compile-policy.js';
import { HmacSha256 } from '../jwt/hmac-sha256.js';
import type { DirectoryUser, JwksOptions, Lookup, PomeriumAuthOptions } from '../options.js';
import { DEFAULT_LOOKUP_TIMEOUT } from '../lookups/bounded-lookup.js';
import {
  directoryLookup,
  isRecordsSource,
  namespaceLookup,
  serviceAccountLookup,
} from '../records/record-lookups.js';
import type { RecordsSource } from '../records/records-source.js';
import { VerifiedTokenCache } from '../verify/verified-token-cache.js';
import type { VerifiedCredential } from '../verify/verified-credential.js';
import type { StandingRules } from '../verify/account-standing.js';
import type { CredentialRules } from '../verify/verify-credential.js';
import { ON_THIS_THREAD, type SignatureChecks } from '../verify/signature-checks.js';
import {
  leaseSignatureWorkers,
  type SignatureWorkersLease,
} from '../verify/worker-pool/shared-pool.js';
import { chooseVerification } from '../verify/worker-pool/verification-mode.js';
import { optionLabel, optionsFromEnvironment } from './environment.js';

/** What adapters read from an authenticator: the two options that are theirs, resolved. */
export interface AdapterSettings {
  /** `'respond'` (default): the adapter answers errors; `'next'`: the framework's error handling does. */
  readonly onError: 'respond' | 'next';
  /** Where the effective principal goes (`'user'` by default); `false` for nowhere. */
  readonly userProperty: string | false;
}

/** Options checked, compiled and defaulted once, at construction. */
export interface ResolvedOptions {
  /** Everything credential verification needs. */
  credentials: CredentialRules;
  directory?: Lookup<DirectoryUser>;
  required: boolean;
  impersonation: ImpersonationRules;
  /** Milliseconds each lookup may take. */
  lookupTimeout: number;
  /** The app-wide policy (option `policy`), for every authenticated request. */
  policy?: NamedPolicy;
  /** What is done with Pomerium's unsigned claim headers (option `claimHeaders`; absent: nothing). */
  claimHeaders?: ClaimHeaderRules;
  audit: AuditTrail;
  settings: AdapterSettings;
  /** Start-up warnings, already reported through the logger. */
  warnings: string[];
  /** The hold on the signature workers, when assertions are verified off the main thread. */
  signatureWorkers?: SignatureWorkersLease;
}

const KNOWN_OPTIONS = new Set([
  'sharedSecret',
  'sharedSecretEncoding',
  'jwksUrl',
  'publicKeys',
  'deriveAssertionKey',
  'issuer',
  'audience',
  'clockTolerance',
  'maxTokenAge',
  'maxTokenBytes',
  'sources',
  'serviceAccounts',
  'directory',
  'required',
  'impersonation',
  'audit',
  'cache',
  'onError',
  'userProperty',
  'jwks',
  'env',
  'logger',
  'assertionVerification',
  'namespace',
  'namespaces',
  'isRevoked',
  'lookupTimeout',
  'assertionFor',
  'claimHeaders',
  'cookieName',
  'policy',
]);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function nonNegative(value: unknown, option: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new PomeriumAuthConfigError(option, 'must be a non-negative number');
  return value;
}

function positiveInteger(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new PomeriumAuthConfigError(option, 'must be a positive integer');
  return value;
}

/** A timeout in milliseconds: a positive number that a timer can hold. */
function milliseconds(value: unknown, option: string, fallback: number): number {
  return timerDelay(positiveInteger(value, option, fallback), option);
}

function hostSet(value: unknown, option: string): Set<string> | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((v) => typeof v !== 'string' || v.trim() === '')
  ) {
    throw new PomeriumAuthConfigError(option, 'must be a non-empty string or array of strings');
  }
  return new Set(list.map((v: string) => normalizeIssuer(v.trim())));
}

/** `jwksUrl`: one URL or a non-empty list, each https (plain http on loopback only). */
function jwksUrls(value: unknown, fromEnvironment: boolean): URL[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    throw new PomeriumAuthConfigError(
      optionLabel('jwksUrl', fromEnvironment),
      'must be a URL or a non-empty array of URLs',
    );
  return list.map((entry: unknown, i) => {
    const label = optionLabel('jwksUrl', fromEnvironment, Array.isArray(value) ? i : undefined);
    let url: URL;
    try {
      // A URL object was accepted before lists were: it still is.
      if (typeof entry !== 'string' && !(entry instanceof URL)) throw new TypeError('not a URL');
      url = new URL(entry);
    } catch {
      throw new PomeriumAuthConfigError(label, 'is not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
      throw new PomeriumAuthConfigError(label, 'must be https (plain http only on loopback)');
    return url;
  });
}

const JWKS_OPTIONS = new Set(['timeout', 'cooldown', 'maxAge', 'maxStale', 'maxBytes', 'fetch']);
const CACHE_OPTIONS = new Set(['max', 'maxAge']);

/** `jwks`: the key sets' tuning, checked once for all of them. */
function jwksOptions(value: unknown): JwksOptions {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new PomeriumAuthConfigError('jwks', 'must be an object');
  const jwks = value as JwksOptions;
  refuseUnknownKeys(jwks, JWKS_OPTIONS, 'jwks');
  if (
    jwks.timeout !== undefined &&
    (nonNegative(jwks.timeout, 'jwks.timeout')! === 0 || jwks.timeout > MAX_TIMER_MS)
  )
    throw new PomeriumAuthConfigError(
      'jwks.timeout',
      `must be a positive number of milliseconds, at most ${MAX_TIMER_MS} (about 24 days)`,
    );
  nonNegative(jwks.cooldown, 'jwks.cooldown');
  nonNegative(jwks.maxAge, 'jwks.maxAge');
  nonNegative(jwks.maxStale, 'jwks.maxStale');
  if (jwks.maxBytes !== undefined) positiveInteger(jwks.maxBytes, 'jwks.maxBytes', 0);
  if (jwks.fetch !== undefined && typeof jwks.fetch !== 'function')
    throw new PomeriumAuthConfigError('jwks.fetch', 'must be a function');
  return jwks;
}

/** A lookup option: a function as given, or a records source read through `fromSource`. */
export function lookupOption<T>(
  value: unknown,
  option: string,
  fromSource: (s: RecordsSource) => Lookup<T>,
): Lookup<T> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as Lookup<T>;
  if (isRecordsSource(value)) {
    const find = fromSource(value);
    // Before its first good load a source knows nothing: that is "unavailable" (503), not "unknown" (401).
    return (key) => {
      if (value.version === 0) throw new Error(`${option}: no records loaded yet`);
      return find(key);
    };
  }
  throw new PomeriumAuthConfigError(
    option,
    'must be a lookup function or a records source (createRecordsSource)',
  );
}

/**
 * Checks every option and compiles it for the request path. Any problem throws a
 * {@link PomeriumAuthConfigError} naming the option, here at construction, never at a request.
 */
export function resolveOptions(input: PomeriumAuthOptions = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object')
    throw new PomeriumAuthConfigError('options', 'must be an object');
  refuseUnknownKeys(input, KNOWN_OPTIONS);
  const envSource = input.env === false ? {} : (input.env ?? process.env);
  const fromEnv = optionsFromEnvironment(envSource);
  const options: PomeriumAuthOptions = { ...fromEnv, ...stripUndefined(input) };
  const envUsed = (name: 'jwksUrl' | 'issuer' | 'audience' | 'sharedSecret'): boolean =>
    input[name] === undefined && fromEnv[name] !== undefined;
  const warnings: string[] = [];

  // Service accounts: the shared secret.
  const encoding = options.sharedSecretEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'legacy-raw')
    throw new PomeriumAuthConfigError('sharedSecretEncoding', "must be 'base64' or 'legacy-raw'");
  const secrets = sharedSecrets(options.sharedSecret, envUsed('sharedSecret'));
  const hmacKeys: KeyObject[] = secrets.map(({ secret, label }) =>
    sharedSecretKey(secret, encoding, label),
  );

  // Assertions: static keys, the derived key, and the remote key set.
  const staticKeys: VerificationKey[] = [];
  if (options.publicKeys !== undefined) {
    if (!Array.isArray(options.publicKeys))
      throw new PomeriumAuthConfigError('publicKeys', 'must be an array of JWKs or PEM strings');
    options.publicKeys.forEach((key, i) => {
      try {
        staticKeys.push(importVerificationKey(key));
      } catch (err) {
        if (err instanceof KeyImportError)
          throw new PomeriumAuthConfigError(`publicKeys[${i}]`, err.message);
        throw err;
      }
    });
  }
  optionalBoolean(options.deriveAssertionKey, 'deriveAssertionKey');
  if (options.deriveAssertionKey) {
    if (secrets.length === 0)
      throw new PomeriumAuthConfigError('deriveAssertionKey', 'needs sharedSecret');
    // During a rotation, Pomerium instances on either secret sign with their own derived key,
    // derived from the decoded secret whatever sharedSecretEncoding says (deriveSigningKey).
    for (const { secret, label } of secrets) {
      const derived = deriveSigningKey(sharedSecretBytes(secret, 'base64', label));
      staticKeys.push({ kid: derived.kid, alg: 'ES256', key: derived.publicKey });
    }
  }
  let remote: RemoteKeySet[] | undefined;
  if (options.jwksUrl !== undefined) {
    const jwks = jwksOptions(options.jwks);
    remote = jwksUrls(options.jwksUrl, envUsed('jwksUrl')).map(
      (url) => new RemoteKeySet(url, jwks),
    );
  }

  // Which sources are on.
  const canAssert = staticKeys.length > 0 || remote !== undefined;
  const canServiceAccount = hmacKeys.length > 0;
  const sources = readSources(options.sources, canAssert, canServiceAccount);
  const acceptAssertions = sources.has('assertion') || sources.has('bearer-assertion');
  const acceptServiceAccounts = sources.has('service-account') || sources.has('cookie');
  if (!acceptAssertions && !acceptServiceAccounts) {
    throw new PomeriumAuthConfigError(
      'sharedSecret',
      'nothing to verify with: set sharedSecret (service accounts) and/or jwksUrl, publicKeys or deriveAssertionKey (assertions), in options or POMERIUM_* variables',
    );
  }
  const cookieName = options.cookieName ?? DEFAULT_COOKIE_NAME;
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))
    throw new PomeriumAuthConfigError('cookieName', 'must be a cookie name');
  if (options.cookieName !== undefined && !sources.has('cookie'))
    throw new PomeriumAuthConfigError('cookieName', "needs 'cookie' in sources");
  optionalBoolean(options.assertionFor, 'assertionFor');
  if (options.assertionFor && !canAssert)
    throw new PomeriumAuthConfigError(
      'assertionFor',
      'needs the assertion keys: jwksUrl, publicKeys or deriveAssertionKey',
    );
  const claimHeaders = compileClaimHeaders(options.claimHeaders);

  const issuers = hostSet(options.issuer, optionLabel('issuer', envUsed('issuer')));
  const audiences = hostSet(options.audience, optionLabel('audience', envUsed('audience')));
  if (acceptAssertions && audiences === undefined) {
    warnings.push(
      "no audience is configured: assertions minted for any route behind the same Pomerium are accepted; set audience to this route's host",
    );
  }

  const algorithms = new Set<AssertionAlgorithm>(['ES256', 'RS256']);
  const required = optionalBoolean(options.required ?? true, 'required')!;
  const impersonation = compileImpersonationRules(options.impersonation);

  const serviceAccounts = lookupOption(
    options.serviceAccounts,
    'serviceAccounts',
    serviceAccountLookup,
  );
  const lookupTimeout = milliseconds(
    options.lookupTimeout,
    'lookupTimeout',
    DEFAULT_LOOKUP_TIMEOUT,
  );
  const standing: StandingRules = { lookupTimeout };
  if (serviceAccounts) standing.serviceAccounts = serviceAccounts;
  if (options.namespace !== undefined) {
    if (typeof options.namespace !== 'string' || options.namespace === '')
      throw new PomeriumAuthConfigError('namespace', 'must be a non-empty namespace id');
    if (!serviceAccounts)
      throw new PomeriumAuthConfigError(
        'namespace',
        "needs serviceAccounts: an account's namespace is in its record",
      );
    standing.namespace = options.namespace;
  }
  const namespaces = lookupOption(options.namespaces, 'namespaces', namespaceLookup);
  if (namespaces) {
    if (standing.namespace === undefined)
      throw new PomeriumAuthConfigError(
        'namespaces',
        "needs namespace (this service's namespace id)",
      );
    standing.namespaces = namespaces;
  }
  if (options.isRevoked !== undefined) {
    if (typeof options.isRevoked !== 'function')
      throw new PomeriumAuthConfigError('isRevoked', 'must be a function');
    standing.isRevoked = options.isRevoked;
  }
  const directory = lookupOption(options.directory, 'directory', directoryLookup);
  if (impersonation.enabled && impersonation.grants.length > 0 && !directory) {
    warnings.push(
      'impersonation is granted but no directory is configured: targets are taken as named, with the groups asked for',
    );
  }

  let cache: VerifiedTokenCache<VerifiedCredential> | undefined;
  if (options.cache !== false) {
    const c = options.cache === undefined ? {} : options.cache;
    if (c === null || typeof c !== 'object' || Array.isArray(c))
      throw new PomeriumAuthConfigError('cache', 'must be an object or false');
    refuseUnknownKeys(c, CACHE_OPTIONS, 'cache');
    cache = new VerifiedTokenCache({
      max: positiveInteger(c.max, 'cache.max', 10_000),
      maxAge: nonNegative(c.maxAge, 'cache.maxAge', 60)!,
    });
  }
  if (options.onError !== undefined && options.onError !== 'respond' && options.onError !== 'next')
    throw new PomeriumAuthConfigError('onError', "must be 'respond' or 'next'");
  if (
    options.userProperty !== undefined &&
    options.userProperty !== false &&
    (typeof options.userProperty !== 'string' || !options.userProperty)
  ) {
    throw new PomeriumAuthConfigError('userProperty', 'must be a property name or false');
  }
  // `pomerium` holds the identity: the principal would replace it. The others are not plain
  // properties: `__proto__` would replace the request's prototype (Express's crashed the process).
  if (options.userProperty === 'pomerium')
    throw new PomeriumAuthConfigError(
      'userProperty',
      "must not be 'pomerium', where the identity goes (the principal would replace it)",
    );
  if (
    options.userProperty === '__proto__' ||
    options.userProperty === 'constructor' ||
    options.userProperty === 'prototype'
  )
    throw new PomeriumAuthConfigError(
      'userProperty',
      `must be a plain property name, not '${options.userProperty}'`,
    );
  if (options.logger !== undefined && typeof options.logger?.warn !== 'function')
    throw new PomeriumAuthConfigError('logger', 'must have a warn() method');

  const clockTolerance = nonNegative(options.clockTolerance, 'clockTolerance', 5)!;
  const maxTokenAge = nonNegative(options.maxTokenAge, 'maxTokenAge');
  const time = maxTokenAge === undefined ? { clockTolerance } : { clockTolerance, maxTokenAge };
  const credentials: CredentialRules = {
    maxTokenBytes: positiveInteger(options.maxTokenBytes, 'maxTokenBytes', 16_384),
    read: {
      assertionHeader: sources.has('assertion'),
      bearerAssertion: sources.has('bearer-assertion'),
      serviceAccountHeaders: sources.has('service-account'),
      ...(sources.has('cookie') ? { cookie: cookieName } : {}),
    },
    standing,
  };
  if (directory) credentials.directory = directory;
  if (cache) credentials.cache = cache;
  const resolved: ResolvedOptions = {
    credentials,
    required,
    impersonation,
    lookupTimeout,
    audit: createAuditTrail(options.audit, options.logger),
    settings: Object.freeze({
      onError: options.onError ?? 'respond',
      userProperty: options.userProperty ?? 'user',
    }),
    warnings,
  };
  if (directory) resolved.directory = directory;
  if (claimHeaders) resolved.claimHeaders = claimHeaders;
  if (options.policy !== undefined) {
    const policy = isCompiledPolicy(options.policy)
      ? options.policy
      : compilePolicy(options.policy);
    resolved.policy = { policy, name: policy.name ?? 'policy' };
  }
  const verification = options.assertionVerification ?? 'auto';
  if (!VERIFICATION_MODES.has(verification))
    throw new PomeriumAuthConfigError(
      'assertionVerification',
      "must be 'auto', 'main-thread' or 'worker-threads' ('thread-pool' is an alias of 'worker-threads')",
    );
  // After every check that can refuse the configuration: a refused one holds no workers.
  let signatures: SignatureChecks = ON_THIS_THREAD;
  if (
    (acceptAssertions || options.assertionFor) &&
    chooseVerification(verification) === 'worker-threads'
  )
    signatures = resolved.signatureWorkers = leaseSignatureWorkers();
  if (acceptAssertions)
    credentials.assertions = {
      staticKeys,
      remote,
      algorithms,
      issuers,
      audiences,
      time,
      signatures,
    };
  if (options.assertionFor) {
    // Minted for the first route of the chain: its issuer and audience are that route's, not ours.
    credentials.assertionFor = { staticKeys, remote, algorithms, time, signatures };
  }
  if (acceptServiceAccounts)
    credentials.serviceAccounts = {
      hmacs: hmacKeys.map((key) => new HmacSha256(key)),
      issuers,
      audiences,
      time,
    };

  const warn = options.logger
    ? (m: string) => options.logger!.warn(`pomerium-auth: ${m}`)
    : emitWarningOnce;
  for (const message of warnings) warn(message);
  return resolved;
}

const VERIFICATION_MODES = new Set<unknown>([
  'auto',
  'main-thread',
  'worker-threads',
  'thread-pool',
]);

const warned = new Set<string>();

/** Without a logger, each distinct warning is printed once per process, not once per instance. */
function emitWarningOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(`pomerium-auth: ${message}`);
}

type SourceName = 'assertion' | 'service-account' | 'bearer-assertion' | 'cookie';
const SOURCE_NAMES: readonly SourceName[] = [
  'assertion',
  'service-account',
  'bearer-assertion',
  'cookie',
];
const DEFAULT_COOKIE_NAME = '_pomerium';
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The credential sources that are on: those the configuration can verify by default
 * (`assertion`, `service-account`), or the list given; `bearer-assertion` and `cookie` only when
 * asked for. Each needs what verifies its kind.
 */
function readSources(
  value: unknown,
  canAssert: boolean,
  canServiceAccount: boolean,
): Set<SourceName> {
  if (value === undefined) {
    const on = new Set<SourceName>();
    if (canAssert) on.add('assertion');
    if (canServiceAccount) on.add('service-account');
    return on;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((s) => !SOURCE_NAMES.includes(s as SourceName))
  ) {
    throw new PomeriumAuthConfigError(
      'sources',
      "must be a non-empty array of 'assertion', 'service-account', 'bearer-assertion' and 'cookie'",
    );
  }
  const on = new Set(value as SourceName[]);
  for (const source of on) {
    const assertionKind = source === 'assertion' || source === 'bearer-assertion';
    if (assertionKind && !canAssert)
      throw new PomeriumAuthConfigError(
        'sources',
        `'${source}' needs jwksUrl, publicKeys or deriveAssertionKey`,
      );
    if (!assertionKind && !canServiceAccount)
      throw new PomeriumAuthConfigError('sources', `'${source}' needs sharedSecret`);
  }
  return on;
}

/** `sharedSecret` as a list of secrets, each with the name its errors use (`sharedSecret[1]`). */
function sharedSecrets(
  value: unknown,
  fromEnvironment: boolean,
): { secret: string; label: string }[] {
  if (value === undefined) return [];
  if (typeof value === 'string')
    return [{ secret: value, label: optionLabel('sharedSecret', fromEnvironment) }];
  if (!Array.isArray(value) || value.length === 0)
    throw new PomeriumAuthConfigError(
      optionLabel('sharedSecret', fromEnvironment),
      'must be a base64 string or a non-empty array of them',
    );
  return value.map((secret: unknown, i) => {
    const label = optionLabel('sharedSecret', fromEnvironment, i);
    if (typeof secret !== 'string')
      throw new PomeriumAuthConfigError(label, 'must be a base64 string');
    return { secret, label };
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

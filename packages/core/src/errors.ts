/**
 * The one error family of the suite. Every failure, whatever the input, is a
 * {@link PomeriumAuthError} with a stable `error` code (RFC 6750 / OAuth style), an HTTP
 * `status`, a client-safe `description`, the `headers` to answer with, and an internal `reason`
 * (stable too) that audit events and logs carry but clients never see.
 */

/** The six answers a client can get (see the core README, "Errors"). */
export type PomeriumAuthErrorCode =
  | 'invalid_request'
  | 'credentials_required'
  | 'invalid_token'
  | 'impersonation_denied'
  | 'insufficient_scope'
  | 'temporarily_unavailable';

/** Why a request was `invalid_request` (400). */
export type InvalidRequestReason =
  | 'ambiguous_credentials'
  | 'repeated_header'
  | 'malformed_credential'
  | 'token_too_large'
  | 'reason_required'
  | 'claim_header_mismatch';

/** Why a request was `credentials_required` (401). */
export type CredentialsRequiredReason = 'no_credentials';

/** Why a token was `invalid_token` (401). */
export type InvalidTokenReason =
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'unsupported_header'
  | 'unknown_key'
  | 'bad_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issued_in_future'
  | 'token_too_old'
  | 'missing_claim'
  | 'invalid_claim'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'unknown_service_account'
  | 'service_account_expired'
  | 'service_account_mismatch'
  | 'revoked'
  | 'namespace_mismatch'
  | 'rejected_by_application'
  /** A fault inside the suite (a bug, never the client's doing): refused, never passed. */
  | 'internal_error';

/** Why an impersonation was refused (403 `impersonation_denied`). */
export type ImpersonationDeniedReason =
  | 'not_allowed'
  | 'group_not_allowed'
  | 'unknown_target'
  | 'invalid_target'
  | 'protected_target'
  | 'chaining'
  | 'forbidden_on_route'
  | 'read_only'
  | 'hook_denied'
  | 'impersonation_disabled';

/** Why a policy refused the effective user (403 `insufficient_scope`). */
export type InsufficientScopeReason = 'policy_denied';

/** Why the answer was `temporarily_unavailable` (503). */
export type TemporarilyUnavailableReason = 'keys_unavailable' | 'lookup_failed' | 'lookup_timeout';

/** The reasons of each code: `ReasonOf<'invalid_token'>` is {@link InvalidTokenReason}. */
export interface PomeriumAuthReasons {
  invalid_request: InvalidRequestReason;
  credentials_required: CredentialsRequiredReason;
  invalid_token: InvalidTokenReason;
  impersonation_denied: ImpersonationDeniedReason;
  insufficient_scope: InsufficientScopeReason;
  temporarily_unavailable: TemporarilyUnavailableReason;
}

/**
 * Why a request failed, for audit and logs. Stable: switch on it, never on messages.
 * Clients only ever see the {@link PomeriumAuthErrorCode} and a generic description.
 */
export type PomeriumAuthReason =
  | InvalidRequestReason
  | CredentialsRequiredReason
  | InvalidTokenReason
  | ImpersonationDeniedReason
  | InsufficientScopeReason
  | TemporarilyUnavailableReason;

/**
 * The HTTP status of each code. Adapters and tests read it from here; nobody restates it.
 *
 * @example
 * ```ts
 * ERROR_STATUS.insufficient_scope; // 403
 * ```
 */
export const ERROR_STATUS: Readonly<Record<PomeriumAuthErrorCode, 400 | 401 | 403 | 503>> =
  Object.freeze({
    invalid_request: 400,
    credentials_required: 401,
    invalid_token: 401,
    impersonation_denied: 403,
    insufficient_scope: 403,
    temporarily_unavailable: 503,
  });

/** The one description sent for every refused impersonation, so nobody can probe who exists. */
export const IMPERSONATION_DENIED_DESCRIPTION = 'Impersonation is not allowed';

/** The one description sent for every policy refusal: it reveals nothing of the policy. */
export const INSUFFICIENT_SCOPE_DESCRIPTION = 'Access to this resource is not allowed';

const DESCRIPTIONS: Partial<Record<PomeriumAuthReason, string>> = {
  ambiguous_credentials: 'More than one different credential was sent',
  repeated_header: 'A credential header was repeated with different values',
  malformed_credential: 'The credential is malformed',
  token_too_large: 'The token is too large',
  reason_required: 'An impersonation reason is required',
  claim_header_mismatch: 'A claim header does not match the signed identity',
  no_credentials: 'Authentication is required',
  token_expired: 'The token has expired',
  token_not_yet_valid: 'The token is not yet valid',
  keys_unavailable: 'Token keys are temporarily unavailable',
  lookup_failed: 'Account records are temporarily unavailable',
  lookup_timeout: 'Account records are temporarily unavailable',
};

const CODE_DESCRIPTIONS: Record<PomeriumAuthErrorCode, string> = {
  invalid_request: 'The request is malformed',
  credentials_required: 'Authentication is required',
  invalid_token: 'The token is invalid',
  impersonation_denied: IMPERSONATION_DENIED_DESCRIPTION,
  insufficient_scope: INSUFFICIENT_SCOPE_DESCRIPTION,
  temporarily_unavailable: 'Authentication is temporarily unavailable',
};

/** Realm named in `WWW-Authenticate` challenges. */
export const REALM = 'pomerium';

/** Seconds a client is told to wait after a 503, in `Retry-After`. */
export const RETRY_AFTER_SECONDS = 5;

/** The JSON body every adapter answers an error with. */
export interface PomeriumAuthErrorBody {
  error: PomeriumAuthErrorCode;
  error_description: string;
}

/**
 * Marks every error of the family, whichever copy of this package built it: an application that
 * loads both the ESM and the CommonJS build (the dual-package hazard) still recognises them.
 */
const BRAND = Symbol.for('@pomerium-auth/core.PomeriumAuthError');

function isBranded(value: unknown): value is PomeriumAuthError {
  return (
    typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  );
}

/**
 * A refused request. Carries its own HTTP answer so every adapter answers alike. `code` and
 * `reason` are typed per subclass: narrow an {@link AnyPomeriumAuthError} with
 * `switch (err.code)` and the compiler knows which reasons remain.
 *
 * `instanceof` works across the ESM and CommonJS builds of this package (the family is branded
 * with `Symbol.for`), as {@link isPomeriumAuthError} does.
 *
 * @example
 * ```ts
 * try {
 *   await auth.authenticate(request);
 * } catch (err) {
 *   if (err instanceof PomeriumAuthError) {
 *     res.writeHead(err.status, err.headers).end(JSON.stringify(err.toJSON()));
 *   }
 * }
 * ```
 */
export class PomeriumAuthError<
  C extends PomeriumAuthErrorCode = PomeriumAuthErrorCode,
  R extends PomeriumAuthReason = PomeriumAuthReason,
> extends Error {
  override readonly name: string = 'PomeriumAuthError';
  /** HTTP status: 400, 401, 403 or 503. */
  readonly status: number;
  /** Alias of {@link PomeriumAuthError.status}, read by Express and Koa error handlers. */
  readonly statusCode: number;
  /** Stable error code sent to clients (`error` in the JSON body). */
  readonly error: C;
  /** The same as {@link PomeriumAuthError.error}, for `switch (err.code)`. */
  readonly code: C;
  /** Client-safe description (`error_description`). Never contains internal detail. */
  readonly description: string;
  /** Internal, stable reason: for audit events and logs, never for clients. */
  readonly reason: R;
  /** Internal detail (which claim, which option): for audit and logs, never for clients. */
  readonly detail: string | undefined;
  /** Headers to answer with (`WWW-Authenticate`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Tells Express's default error handler that the message is safe to show. */
  readonly expose = true;
  /** @internal The family's brand (see {@link isPomeriumAuthError}). */
  readonly [BRAND] = true;

  /**
   * @param code - the client-facing code; it fixes the status and headers.
   * @param reason - the internal reason, for audit and logs.
   * @param detail - internal detail, never sent to clients.
   */
  constructor(code: C, reason: R, detail?: string, options?: { cause?: unknown }) {
    const description =
      code === 'impersonation_denied' || code === 'insufficient_scope'
        ? CODE_DESCRIPTIONS[code]
        : (DESCRIPTIONS[reason] ?? CODE_DESCRIPTIONS[code]);
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = ERROR_STATUS[code];
    this.statusCode = this.status;
    this.error = code;
    this.code = code;
    this.description = description;
    this.reason = reason;
    this.detail = detail;
    this.headers = Object.freeze(challengeHeaders(code, description));
  }

  /** `instanceof` that also recognises the family built by another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    // The base class recognises the whole family; a subclass only errors of its own name.
    return (
      (this as unknown) === PomeriumAuthError ||
      (value as { name?: unknown }).name === (this as { name: string }).name
    );
  }

  /** The JSON body clients receive: `{ error, error_description }`. */
  toJSON(): PomeriumAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function bearerChallenge(code: PomeriumAuthErrorCode, description: string): string {
  return `Bearer realm=${quote(REALM)}, error=${quote(code)}, error_description=${quote(description)}`;
}

function challengeHeaders(
  code: PomeriumAuthErrorCode,
  description: string,
): Record<string, string> {
  switch (code) {
    // Every 401 names its error, a request without any credential too (README, "Errors"): RFC
    // 6750 3.1 would rather leave the code out there (a SHOULD NOT); the suite's errors say it.
    case 'credentials_required':
    case 'invalid_request':
    case 'invalid_token':
    case 'insufficient_scope':
      return { 'WWW-Authenticate': bearerChallenge(code, description) };
    case 'temporarily_unavailable':
      return { 'Retry-After': String(RETRY_AFTER_SECONDS) };
    default:
      return {};
  }
}

/** 400 `invalid_request`: malformed or ambiguous credentials, oversized token, missing reason. */
export class InvalidRequestError extends PomeriumAuthError<
  'invalid_request',
  InvalidRequestReason
> {
  override readonly name = 'InvalidRequestError';
  constructor(reason: InvalidRequestReason, detail?: string) {
    super('invalid_request', reason, detail);
  }
}

/** 401 `credentials_required`: no credential where one is required. */
export class CredentialsRequiredError extends PomeriumAuthError<
  'credentials_required',
  CredentialsRequiredReason
> {
  override readonly name = 'CredentialsRequiredError';
  constructor(detail?: string) {
    super('credentials_required', 'no_credentials', detail);
  }
}

/** 401 `invalid_token`: signature, expiry, issuer, audience, claims, unknown or revoked account. */
export class InvalidTokenError extends PomeriumAuthError<'invalid_token', InvalidTokenReason> {
  override readonly name = 'InvalidTokenError';
  constructor(reason: InvalidTokenReason, detail?: string, cause?: unknown) {
    super('invalid_token', reason, detail, { cause });
  }
}

/** 403 `impersonation_denied`: every refused impersonation, with one and the same description. */
export class ImpersonationDeniedError extends PomeriumAuthError<
  'impersonation_denied',
  ImpersonationDeniedReason
> {
  override readonly name = 'ImpersonationDeniedError';
  constructor(reason: ImpersonationDeniedReason, detail?: string) {
    super('impersonation_denied', reason, detail);
  }
}

/**
 * 403 `insufficient_scope` (RFC 6750): a policy refused the effective user. One description
 * for every refusal; which rule decided is in `detail` and the audit event, never in the answer.
 */
export class InsufficientScopeError extends PomeriumAuthError<
  'insufficient_scope',
  InsufficientScopeReason
> {
  override readonly name = 'InsufficientScopeError';
  constructor(detail?: string) {
    super('insufficient_scope', 'policy_denied', detail);
  }
}

/** 503 `temporarily_unavailable`: no key (or record) can be had; carries `Retry-After`. */
export class TemporarilyUnavailableError extends PomeriumAuthError<
  'temporarily_unavailable',
  TemporarilyUnavailableReason
> {
  override readonly name = 'TemporarilyUnavailableError';
  constructor(reason: TemporarilyUnavailableReason, detail?: string, cause?: unknown) {
    super('temporarily_unavailable', reason, detail, { cause });
  }
}

/**
 * Every error of the family, as a discriminated union on `code` (as jose's `AnyJOSEError`):
 *
 * @example
 * ```ts
 * function log(err: AnyPomeriumAuthError) {
 *   switch (err.code) {
 *     case 'invalid_token':
 *       if (err.reason === 'token_expired') metrics.increment('expired'); // reason: InvalidTokenReason
 *       break;
 *     case 'temporarily_unavailable':
 *       alert(err.reason); // 'keys_unavailable' | 'lookup_failed' | 'lookup_timeout'
 *   }
 * }
 * ```
 */
export type AnyPomeriumAuthError =
  | InvalidRequestError
  | CredentialsRequiredError
  | InvalidTokenError
  | ImpersonationDeniedError
  | InsufficientScopeError
  | TemporarilyUnavailableError;

/**
 * Bad configuration, thrown at construction (never at a request). `option` names the option.
 *
 * @example
 * ```ts
 * try { createPomeriumAuth({ clockTolerance: -1 }) } catch (err) {
 *   if (err instanceof PomeriumAuthConfigError) console.error(err.option); // 'clockTolerance'
 * }
 * ```
 */
export class PomeriumAuthConfigError extends Error {
  override readonly name = 'PomeriumAuthConfigError';
  readonly code = 'invalid_configuration';
  /** The option at fault, e.g. `impersonation.grants[0].targets`. */
  readonly option: string;
  /**
   * What is wrong, without the option's name (`must be a non-negative number`): for tools that
   * name the option their own way (a command-line flag, an environment variable).
   */
  readonly problem: string;
  constructor(option: string, problem: string) {
    super(`pomerium-auth: option "${option}": ${problem}`);
    this.option = option;
    this.problem = problem;
  }
}

/**
 * True for every error of the family, including errors built by another copy of this package
 * (its ESM and CommonJS builds loaded side by side).
 *
 * @example
 * ```ts
 * if (isPomeriumAuthError(err)) res.status(err.status).set(err.headers).json(err.toJSON());
 * ```
 */
export function isPomeriumAuthError(value: unknown): value is AnyPomeriumAuthError {
  return value instanceof PomeriumAuthError || isBranded(value);
}

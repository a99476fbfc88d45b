/**
 * The one error family of the suite. Every failure, whatever the input, is a
 * {@link PomeriumAuthError} with a stable `error` code (RFC 6750 / OAuth style), an HTTP
 * `status`, a client-safe `description`, the `headers` to answer with, and an internal `reason`
 * (stable too) that audit events and logs carry but clients never see.
 */

/** The five answers a client can get (SPEC 8). */
export type PomeriumAuthErrorCode =
  | 'invalid_request'
  | 'credentials_required'
  | 'invalid_token'
  | 'impersonation_denied'
  | 'temporarily_unavailable';

/**
 * Why a request failed, for audit and logs. Stable: switch on it, never on messages.
 * Clients only ever see the {@link PomeriumAuthErrorCode} and a generic description.
 */
export type PomeriumAuthReason =
  // invalid_request
  | 'ambiguous_credentials'
  | 'repeated_header'
  | 'malformed_credential'
  | 'token_too_large'
  | 'reason_required'
  // credentials_required
  | 'no_credentials'
  // invalid_token
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
  | 'rejected_by_application'
  // impersonation_denied
  | 'not_allowed'
  | 'group_not_allowed'
  | 'unknown_target'
  | 'protected_target'
  | 'chaining'
  | 'forbidden_on_route'
  | 'read_only'
  | 'hook_denied'
  | 'impersonation_disabled'
  // temporarily_unavailable
  | 'keys_unavailable'
  | 'lookup_failed';

const STATUS: Record<PomeriumAuthErrorCode, number> = {
  invalid_request: 400,
  credentials_required: 401,
  invalid_token: 401,
  impersonation_denied: 403,
  temporarily_unavailable: 503,
};

/** The one description sent for every refused impersonation, so nobody can probe who exists. */
export const IMPERSONATION_DENIED_DESCRIPTION = 'Impersonation is not allowed';

const DESCRIPTIONS: Partial<Record<PomeriumAuthReason, string>> = {
  ambiguous_credentials: 'More than one different credential was sent',
  repeated_header: 'A credential header was repeated with different values',
  malformed_credential: 'The credential is malformed',
  token_too_large: 'The token is too large',
  reason_required: 'An impersonation reason is required',
  no_credentials: 'Authentication is required',
  token_expired: 'The token has expired',
  token_not_yet_valid: 'The token is not yet valid',
  keys_unavailable: 'Token keys are temporarily unavailable',
  lookup_failed: 'Account records are temporarily unavailable',
};

const CODE_DESCRIPTIONS: Record<PomeriumAuthErrorCode, string> = {
  invalid_request: 'The request is malformed',
  credentials_required: 'Authentication is required',
  invalid_token: 'The token is invalid',
  impersonation_denied: IMPERSONATION_DENIED_DESCRIPTION,
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
 * A refused request. Carries its own HTTP answer so every adapter answers alike.
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
export class PomeriumAuthError extends Error {
  override readonly name: string = 'PomeriumAuthError';
  /** HTTP status: 400, 401, 403 or 503. */
  readonly status: number;
  /** Alias of {@link PomeriumAuthError.status}, read by Express and Koa error handlers. */
  readonly statusCode: number;
  /** Stable error code sent to clients (`error` in the JSON body). */
  readonly error: PomeriumAuthErrorCode;
  /** The same as {@link PomeriumAuthError.error}, for `switch (err.code)`. */
  readonly code: PomeriumAuthErrorCode;
  /** Client-safe description (`error_description`). Never contains internal detail. */
  readonly description: string;
  /** Internal, stable reason: for audit events and logs, never for clients. */
  readonly reason: PomeriumAuthReason;
  /** Internal detail (which claim, which option): for audit and logs, never for clients. */
  readonly detail: string | undefined;
  /** Headers to answer with (`WWW-Authenticate`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Tells Express's default error handler that the message is safe to show. */
  readonly expose = true;

  constructor(
    code: PomeriumAuthErrorCode,
    reason: PomeriumAuthReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    const description =
      code === 'impersonation_denied'
        ? IMPERSONATION_DENIED_DESCRIPTION
        : (DESCRIPTIONS[reason] ?? CODE_DESCRIPTIONS[code]);
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS[code];
    this.statusCode = this.status;
    this.error = code;
    this.code = code;
    this.description = description;
    this.reason = reason;
    this.detail = detail;
    this.headers = Object.freeze(challengeHeaders(code, description));
  }

  /** The JSON body clients receive: `{ error, error_description }`. */
  toJSON(): PomeriumAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function challengeHeaders(
  code: PomeriumAuthErrorCode,
  description: string,
): Record<string, string> {
  switch (code) {
    // RFC 6750 3.1: a request without any credential gets a challenge without an error code.
    case 'credentials_required':
      return { 'WWW-Authenticate': `Bearer realm=${quote(REALM)}` };
    case 'invalid_request':
    case 'invalid_token':
      return {
        'WWW-Authenticate': `Bearer realm=${quote(REALM)}, error=${quote(code)}, error_description=${quote(description)}`,
      };
    case 'temporarily_unavailable':
      return { 'Retry-After': String(RETRY_AFTER_SECONDS) };
    default:
      return {};
  }
}

/** 400 `invalid_request`: malformed or ambiguous credentials, oversized token, missing reason. */
export class InvalidRequestError extends PomeriumAuthError {
  override readonly name = 'InvalidRequestError';
  constructor(reason: PomeriumAuthReason, detail?: string) {
    super('invalid_request', reason, detail);
  }
}

/** 401 `credentials_required`: no credential where one is required. */
export class CredentialsRequiredError extends PomeriumAuthError {
  override readonly name = 'CredentialsRequiredError';
  constructor(detail?: string) {
    super('credentials_required', 'no_credentials', detail);
  }
}

/** 401 `invalid_token`: signature, expiry, issuer, audience, claims, unknown or revoked account. */
export class InvalidTokenError extends PomeriumAuthError {
  override readonly name = 'InvalidTokenError';
  constructor(reason: PomeriumAuthReason, detail?: string, cause?: unknown) {
    super('invalid_token', reason, detail, { cause });
  }
}

/** 403 `impersonation_denied`: every refused impersonation, with one and the same description. */
export class ImpersonationDeniedError extends PomeriumAuthError {
  override readonly name = 'ImpersonationDeniedError';
  constructor(reason: PomeriumAuthReason, detail?: string) {
    super('impersonation_denied', reason, detail);
  }
}

/** 503 `temporarily_unavailable`: no key (or record) can be had; carries `Retry-After`. */
export class TemporarilyUnavailableError extends PomeriumAuthError {
  override readonly name = 'TemporarilyUnavailableError';
  constructor(reason: PomeriumAuthReason, detail?: string, cause?: unknown) {
    super('temporarily_unavailable', reason, detail, { cause });
  }
}

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
  constructor(option: string, message: string) {
    super(`pomerium-auth: option "${option}": ${message}`);
    this.option = option;
  }
}

/** True for every error of the family. */
export function isPomeriumAuthError(value: unknown): value is PomeriumAuthError {
  return value instanceof PomeriumAuthError;
}

// The error union: `switch (err.code)` narrows the error to its class and `err.reason` to that
// code's reasons, and a reason of another code does not compile.
import {
  isPomeriumAuthError,
  type AnyPomeriumAuthError,
  type CredentialsRequiredError,
  type ImpersonationDeniedError,
  type ImpersonationDeniedReason,
  type InsufficientScopeError,
  type InvalidRequestError,
  type InvalidRequestReason,
  type InvalidTokenError,
  type InvalidTokenReason,
  type PomeriumAuthErrorCode,
  type PomeriumAuthReasons,
  type TemporarilyUnavailableError,
} from '@pomerium-auth/core';
import { expectTypeOf } from './expect-type.js';

export function narrowsByCode(err: AnyPomeriumAuthError): void {
  switch (err.code) {
    case 'invalid_request':
      expectTypeOf(err).toEqualTypeOf<InvalidRequestError>();
      expectTypeOf(err.reason).toEqualTypeOf<InvalidRequestReason>();
      expectTypeOf(err.status).toEqualTypeOf<number>();
      break;
    case 'credentials_required':
      expectTypeOf(err).toEqualTypeOf<CredentialsRequiredError>();
      expectTypeOf(err.reason).toEqualTypeOf<'no_credentials'>();
      break;
    case 'invalid_token':
      expectTypeOf(err).toEqualTypeOf<InvalidTokenError>();
      expectTypeOf(err.reason).toEqualTypeOf<InvalidTokenReason>();
      // @ts-expect-error chaining is an impersonation reason, never an invalid_token one
      void (err.reason === 'chaining');
      break;
    case 'impersonation_denied':
      expectTypeOf(err).toEqualTypeOf<ImpersonationDeniedError>();
      expectTypeOf(err.reason).toEqualTypeOf<ImpersonationDeniedReason>();
      // @ts-expect-error token_expired is an invalid_token reason
      void (err.reason === 'token_expired');
      break;
    case 'insufficient_scope':
      expectTypeOf(err).toEqualTypeOf<InsufficientScopeError>();
      expectTypeOf(err.reason).toEqualTypeOf<'policy_denied'>();
      break;
    case 'temporarily_unavailable':
      expectTypeOf(err).toEqualTypeOf<TemporarilyUnavailableError>();
      expectTypeOf(err.reason).toEqualTypeOf<
        'keys_unavailable' | 'lookup_failed' | 'lookup_timeout'
      >();
      break;
    default:
      // Every code has its case: a seventh code in the union would land here and fail.
      expectTypeOf(err).toEqualTypeOf<never>();
  }
}

// The union and the code-to-reasons map cover the same codes.
expectTypeOf<AnyPomeriumAuthError['code']>().toEqualTypeOf<PomeriumAuthErrorCode>();
expectTypeOf<keyof PomeriumAuthReasons>().toEqualTypeOf<PomeriumAuthErrorCode>();

export function guardNarrowsUnknown(err: unknown): void {
  if (isPomeriumAuthError(err)) {
    expectTypeOf(err).toEqualTypeOf<AnyPomeriumAuthError>();
    if (err.code === 'invalid_token') expectTypeOf(err.reason).toEqualTypeOf<InvalidTokenReason>();
  }
}

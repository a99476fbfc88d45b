/**
 * `@pomerium-auth/core/internal`: the building blocks core itself is made of, exported for the
 * suite's own tests and benchmarks. Not part of the public API: anything here may change in any
 * release without notice.
 *
 * @internal
 * @packageDocumentation
 */
export {
  importVerificationKey,
  KeyImportError,
  type VerificationKey,
} from './keys/verification-key.js';
export { RemoteKeySet, type RemoteKeySetState } from './keys/remote-key-set.js';
export { VerifiedTokenCache } from './verify/verified-token-cache.js';
export { verifyJwsSignatureOnThreadPool } from './jwt/verify-signature.js';

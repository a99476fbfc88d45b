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
export {
  SignatureWorkerPool,
  type SignatureWorkerPoolOptions,
  type SignatureWorkerPoolStats,
} from './verify/worker-pool/signature-worker-pool.js';
export {
  leaseSignatureWorkers,
  sharedSignatureWorkers,
  defaultPoolSize,
  type SignatureWorkersLease,
} from './verify/worker-pool/shared-pool.js';
export {
  cgroupCpuLimit,
  usableCores,
  type ReadSystemFile,
} from './verify/worker-pool/usable-cores.js';
export {
  chooseVerification,
  type AssertionVerification,
} from './verify/worker-pool/verification-mode.js';
export { checkOnThisThread } from './verify/signature-checks.js';
export { parseCheckedJws } from './jwt/compact-jws.js';
export {
  answeredSoFar,
  batchControl,
  checkBatch,
  claimProgressMessage,
  CONTROL_BYTES,
  itemAnswer,
  readProgress,
  writeItem,
  PENDING,
  VERIFIED,
  type BatchKey,
} from './verify/worker-pool/signature-batch.js';

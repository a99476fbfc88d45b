// @pomerium-auth/testing: a stand-in for Pomerium in test suites. Not for production use.
export { generateSigningKey, importSigningKey } from './signing-key.js';
export type { AssertionAlgorithm, SigningKeyInput, TestSigningKey } from './signing-key.js';
export { signJwt, SIGNING_ALGORITHMS } from './sign-jwt.js';
export { DEFAULT_TEST_USER } from './assertion.js';
export type { AssertionClaims, AssertionClaimsInput, MintAssertionOptions } from './assertion.js';
export { signServiceAccountToken, signLegacyServiceAccountToken } from './service-account-token.js';
export type {
  LegacyServiceAccountTokenOptions,
  ServiceAccountTokenOptions,
} from './service-account-token.js';
export { createTestIssuer } from './test-issuer.js';
export type { TestIssuer, TestIssuerOptions } from './test-issuer.js';
export { startJwksServer, JWKS_PATH, DISCOVERY_PATH } from './jwks-server.js';
export type { JwksFault, JwksFaultOptions, JwksServer, JwksServerOptions } from './jwks-server.js';
export {
  SERVICE_ACCOUNT_SCHEMES,
  serviceAccountHeaders,
  assertionHeaders,
  bearerAssertionHeaders,
  assertionForHeaders,
  cookieHeaders,
} from './credential-headers.js';
export type { ServiceAccountScheme } from './credential-headers.js';
export type { JWK, JSONWebKeySet } from 'jose';

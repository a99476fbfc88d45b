import type { CredentialSource, Principal } from '../identity.js';

/** What verifying one credential yields: the authenticated principal and the credential's facts. */
export interface VerifiedCredential {
  principal: Principal;
  source: CredentialSource;
  /** The token's `exp` in seconds, if it has one. */
  exp?: number;
  /** A service-account token of today's format: a reference to an account record. */
  current?: boolean;
  /** Who a verified `x-pomerium-jwt-assertion-for` names (option `assertionFor`). */
  onBehalfOf?: Principal;
}

// Pomerium's `shared_secret` is base64 text; the HMAC key is what it decodes to. Node's base64
// decoder silently skips invalid characters, so the text is checked first: a typo in a test
// fixture should fail loudly, not sign with a shorter key.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes a base64 (or base64url) shared secret, throwing a TypeError when it is not base64. */
export function decodeSharedSecret(secret: string): Buffer {
  const text = secret.trim();
  if (text.length === 0) throw new TypeError('sharedSecret must not be empty');
  if (BASE64.test(text)) return Buffer.from(text, 'base64');
  if (BASE64URL.test(text)) return Buffer.from(text, 'base64url');
  throw new TypeError("sharedSecret must be base64 text, as Pomerium's shared_secret is");
}

/** Turns a secret given as base64 text or raw bytes into HMAC key bytes. */
export function hmacKeyBytes(secret: Uint8Array | string): Uint8Array {
  return typeof secret === 'string' ? decodeSharedSecret(secret) : secret;
}

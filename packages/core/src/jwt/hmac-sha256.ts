import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;
const BUFFER_LIMIT = 64 * 1024;

/**
 * `crypto.hash` (Node ≥ 20.12 and 21.7): a digest without building a `Hash` object. Asked for a
 * `latin1` string (one character per byte): a digest returned as a `Buffer` costs a new backing
 * store per call (measured in bench/README.md, "What dominates per-request cost").
 */
const oneShotHash = (
  nodeCrypto as unknown as {
    hash?: (algorithm: string, data: Uint8Array, output: 'latin1') => string;
  }
).hash;

/**
 * HMAC-SHA256 (RFC 2104) under one key, built once. `createHmac` sets up a new `Hmac` object
 * and its key schedule for every message, which on Node 20 costs more than hashing a token; here
 * the padded key blocks are computed once and each message costs two one-shot SHA-256 digests
 * (`crypto.hash`) written into buffers the instance reuses, so a verification allocates no
 * `Buffer`. Where `crypto.hash` is missing (Node < 20.12) it is `createHmac`. Checked
 * against RFC 4231's test vectors and against `createHmac` on random keys and messages.
 *
 * @example
 * ```ts
 * const hmac = new HmacSha256(createSecretKey(secret));
 * hmac.verify(signingInput, signature); // constant-time compare
 * ```
 */
export class HmacSha256 {
  readonly #key: KeyObject;
  /** `key ⊕ ipad`, then room for the message. */
  #inner: Buffer;
  /** `key ⊕ opad`, then the inner digest. */
  readonly #outer: Buffer;
  /** The last MAC computed. */
  readonly #mac = Buffer.alloc(DIGEST);

  constructor(key: KeyObject) {
    this.#key = key;
    let bytes = key.export();
    if (bytes.length > BLOCK) bytes = createHash('sha256').update(bytes).digest();
    this.#inner = Buffer.alloc(BLOCK + 1024);
    this.#outer = Buffer.alloc(BLOCK + DIGEST);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < bytes.length ? bytes[i]! : 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
  }

  /** Whether `mac` is the MAC of `text` (taken one byte per character: base64url text is ASCII), compared in constant time. */
  verify(text: string, mac: Uint8Array): boolean {
    return mac.length === DIGEST && timingSafeEqual(this.#sign(text), mac);
  }

  /** The MAC of `text`, in a buffer this instance reuses: valid until the next call. */
  #sign(text: string): Buffer {
    if (oneShotHash === undefined || text.length > BUFFER_LIMIT)
      return createHmac('sha256', this.#key).update(text, 'latin1').digest();
    if (BLOCK + text.length > this.#inner.length) this.#grow(BLOCK + text.length);
    const inner = this.#inner;
    const length = BLOCK + inner.write(text, BLOCK, 'latin1');
    this.#outer.write(oneShotHash('sha256', inner.subarray(0, length), 'latin1'), BLOCK, 'latin1');
    this.#mac.write(oneShotHash('sha256', this.#outer, 'latin1'), 0, 'latin1');
    return this.#mac;
  }

  #grow(size: number): void {
    const grown = Buffer.alloc(
      Math.min(BUFFER_LIMIT + BLOCK, Math.max(size, this.#inner.length * 2)),
    );
    this.#inner.copy(grown, 0, 0, BLOCK);
    this.#inner = grown;
  }
}

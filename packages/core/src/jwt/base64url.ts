import { InvalidTokenError } from '../errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Refuses (with `invalid_token`) a segment that is not canonical unpadded base64url. Node's
 * decoder skips characters outside the alphabet, so a JWS must be checked before it is decoded;
 * `checked` skips the alphabet scan for text `extractCredentials` already matched. Canonical
 * means the unused low bits of the last character are zero, so one token has exactly one
 * spelling (no variants of a signature that decode to the same bytes).
 */
export function checkBase64url(segment: string, what: string, checked: boolean): void {
  const rest = segment.length % 4;
  if ((!checked && !BASE64URL.test(segment)) || rest === 1)
    throw new InvalidTokenError('malformed_token', `${what} is not base64url`);
  if (
    rest !== 0 &&
    (ALPHABET.indexOf(segment[segment.length - 1]!) & (rest === 2 ? 0x0f : 0x03)) !== 0
  ) {
    throw new InvalidTokenError('malformed_token', `${what} is not canonical base64url`);
  }
}

/** The number of bytes an unpadded base64url text of `length` characters decodes to. */
export function decodedLength(length: number): number {
  const rest = length & 3;
  return (length >>> 2) * 3 + (rest === 0 ? 0 : rest - 1);
}

/**
 * Buffers reused by every synchronous verification on this thread, so the hot path copies no
 * token into a fresh `Buffer`. What is written into one is used before the call returns (never
 * across an `await`), so one set per thread is enough.
 */
const SCRATCH_LIMIT = 64 * 1024;
let textScratch = Buffer.allocUnsafeSlow(4096);
const signatureScratch = Buffer.allocUnsafeSlow(1024);

/** A buffer of at least `size` bytes for short-lived use: the shared one, grown as tokens require (up to 64 KiB), or a fresh one beyond. */
function textBuffer(size: number): Buffer {
  if (size <= textScratch.length) return textScratch;
  if (size > SCRATCH_LIMIT) return Buffer.allocUnsafe(size);
  textScratch = Buffer.allocUnsafeSlow(
    Math.min(SCRATCH_LIMIT, Math.max(size, textScratch.length * 2)),
  );
  return textScratch;
}

/** Decodes a checked base64url segment to UTF-8 text, through the scratch buffer. */
export function base64urlToText(segment: string): string {
  const buffer = textBuffer(decodedLength(segment.length));
  const length = buffer.write(segment, 0, 'base64url');
  return buffer.toString('utf8', 0, length);
}

/**
 * Decodes a checked base64url signature into the shared signature buffer: a view valid until
 * the next call on this thread, for a verification that uses it at once.
 */
export function signatureView(segment: string): Buffer {
  const size = decodedLength(segment.length);
  if (size > signatureScratch.length) return Buffer.from(segment, 'base64url');
  return signatureScratch.subarray(0, signatureScratch.write(segment, 0, 'base64url'));
}

/** Writes base64url text (one byte per character) into the scratch buffer: a view valid until the next call on this thread. */
export function asciiView(text: string): Buffer {
  const buffer = textBuffer(text.length);
  return buffer.subarray(0, buffer.write(text, 0, 'latin1'));
}

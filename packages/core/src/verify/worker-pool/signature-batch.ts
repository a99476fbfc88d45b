import type { KeyObject } from 'node:crypto';
import { decodedLength } from '../../jwt/base64url.js';
import { verifyAsymmetricSignature } from '../../jwt/verify-signature.js';
import type { AssertionAlgorithm } from '../../keys/verification-key.js';

/**
 * How a batch of signatures travels to a signature worker and its answers come back: written
 * into a buffer the main thread and the worker share, one item after another, so a batch is one
 * message to the worker whatever its size and nothing is copied or cloned per signature. Only
 * one batch per worker is ever in flight, and the messages order the two threads' accesses: the
 * main thread writes the items and posts; the worker checks them in order, writes each item's
 * answer, and after each one but the last posts how many are answered (a negative number,
 * {@link checkedSoFar}), so that a request is answered as soon as its own signature is checked,
 * not when its whole batch is; after the last it posts the batch's count. The main thread reads
 * an answer only once a message says it is written, and writes the next batch only after the
 * count.
 *
 * An item, 4-byte aligned:
 *
 * | bytes | what |
 * | --- | --- |
 * | 4 | signing input length |
 * | 2 | signature length |
 * | 1 | key count |
 * | 1 | the answer: {@link PENDING}, {@link VERIFIED} or {@link REFUSED} |
 * | 4 × key count | key numbers, tried in turn ({@link BatchKey}) |
 * | signature length | the signature, decoded |
 * | signing input length | the signing input (ASCII) |
 */
const HEADER_BYTES = 8;
const ANSWER_OFFSET = 7;

/** An item's answer before the worker has checked it. */
export const PENDING = 0;
/** The signature verifies with one of the item's keys. */
export const VERIFIED = 1;
/** It verifies with none of them (or an item could not be read). */
export const REFUSED = 2;

/** A public key a worker holds, by the number the pool gave it. */
export interface BatchKey {
  id: number;
  alg: AssertionAlgorithm;
  key: KeyObject;
}

/** The main thread's message to a worker: check `count` items from the start of the buffer. */
export interface BatchMessage {
  count: number;
  /** Keys the worker does not hold yet. */
  keys?: BatchKey[];
  /** The worker drops every key it holds first (it had too many). */
  forget?: true;
  /** A new, larger buffer, from this batch on. */
  buffer?: SharedArrayBuffer;
}

/**
 * The worker's progress message within a batch: `-n` says the first `n` answers are written.
 *
 * @example
 * ```ts
 * port.postMessage(progressMessage(3)); // -3
 * const answered = checkedSoFar(message); // 3, or undefined for any other message
 * ```
 */
export function progressMessage(checked: number): number {
  return -checked;
}

/** How many answers a progress message says are written, or `undefined` if it is not one. */
export function checkedSoFar(message: unknown): number | undefined {
  return typeof message === 'number' && message < 0 ? -message : undefined;
}

/** The worker's first message, once it can take batches. */
export const WORKER_READY = 'ready';

/**
 * The bytes an item takes in a batch buffer, aligned for the next one.
 *
 * @example
 * ```ts
 * itemBytes(jws.signingInput.length, jws.signatureText.length, 1);
 * ```
 */
export function itemBytes(
  signingInputLength: number,
  signatureTextLength: number,
  keyCount: number,
): number {
  const size =
    HEADER_BYTES + 4 * keyCount + decodedLength(signatureTextLength) + signingInputLength;
  return (size + 3) & ~3;
}

/**
 * Writes one item at `offset` (its answer {@link PENDING}) and returns where the next one goes.
 * The signature is decoded from its checked base64url text straight into the buffer.
 *
 * @example
 * ```ts
 * next = writeItem(buffer, next, jws.signingInput, jws.signatureText, [7]);
 * ```
 */
export function writeItem(
  buffer: Buffer,
  offset: number,
  signingInput: string,
  signatureText: string,
  keyIds: readonly number[],
): number {
  let at = offset + HEADER_BYTES;
  for (const id of keyIds) at = buffer.writeUInt32LE(id, at);
  const signatureLength = buffer.write(signatureText, at, 'base64url');
  at += signatureLength;
  at += buffer.write(signingInput, at, 'latin1');
  buffer.writeUInt32LE(signingInput.length, offset);
  buffer.writeUInt16LE(signatureLength, offset + 4);
  buffer[offset + 6] = keyIds.length;
  buffer[offset + ANSWER_OFFSET] = PENDING;
  return (at + 3) & ~3;
}

/**
 * The answer the worker wrote for the item at `offset`.
 *
 * @example
 * ```ts
 * const ok = itemAnswer(buffer, offset) === VERIFIED;
 * ```
 */
export function itemAnswer(buffer: Buffer, offset: number): number {
  return buffer[offset + ANSWER_OFFSET]!;
}

/**
 * The worker's side: checks `count` items from the start of `buffer`, each against its keys in
 * turn with {@link verifyAsymmetricSignature} (the main thread's own check), and writes each
 * answer in place; `onChecked(n)` is called once the first `n` answers are written. A key number
 * the worker does not hold refuses that key, never the batch.
 *
 * @example
 * ```ts
 * checkBatch(buffer, message.count, keys, (n) => port.postMessage(-n));
 * ```
 */
export function checkBatch(
  buffer: Buffer,
  count: number,
  keys: ReadonlyMap<number, BatchKey>,
  onChecked?: (checked: number) => void,
): void {
  let offset = 0;
  for (let n = 0; n < count; n++) {
    const dataLength = buffer.readUInt32LE(offset);
    const signatureLength = buffer.readUInt16LE(offset + 4);
    const keyCount = buffer[offset + 6]!;
    const signatureStart = offset + HEADER_BYTES + 4 * keyCount;
    const signature = buffer.subarray(signatureStart, signatureStart + signatureLength);
    const data = buffer.subarray(
      signatureStart + signatureLength,
      signatureStart + signatureLength + dataLength,
    );
    let answer = REFUSED;
    for (let k = 0; k < keyCount && answer === REFUSED; k++) {
      const key = keys.get(buffer.readUInt32LE(offset + HEADER_BYTES + 4 * k));
      if (key !== undefined && verifyAsymmetricSignature(key.alg, data, signature, key.key))
        answer = VERIFIED;
    }
    buffer[offset + ANSWER_OFFSET] = answer;
    offset = (signatureStart + signatureLength + dataLength + 3) & ~3;
    onChecked?.(n + 1);
  }
}

import type { KeyObject } from 'node:crypto';
import { decodedLength } from '../../jwt/base64url.js';
import { verifyAsymmetricSignature } from '../../jwt/verify-signature.js';
import type { AssertionAlgorithm } from '../../keys/verification-key.js';

/**
 * How a batch of signatures travels to a signature worker and its answers come back: written
 * into a buffer the main thread and the worker share, one item after another, so a batch is one
 * message to the worker whatever its size and nothing is copied or cloned per signature. Only
 * one batch per worker is ever in flight. The main thread writes the items and posts; the worker
 * checks them in order and writes each item's answer, then the count of answers written into
 * the buffer's control words (an atomic store, after the answer: whoever reads the count reads
 * the answers it counts). A request is answered as soon as its own signature is checked, not
 * when its whole batch is: after an answer the worker posts a progress message (a negative
 * number, {@link checkedSoFar}) unless one it posted is still unread, and the main thread marks
 * it read before it reads the count. So an idle main thread hears of each answer at once, and a
 * busy one reads several answers per message instead of one message per answer. After the last
 * answer the worker posts the batch's count; the main thread writes the next batch only after
 * it.
 *
 * The buffer starts with {@link CONTROL_BYTES} of control words (answers written so far in this
 * batch; whether a progress message is unread), then the items, each 4-byte aligned:
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

/** Where the first item of a batch starts: after the control words. */
export const CONTROL_BYTES = 8;
// The control words, as 32-bit integers.
const ANSWERED = 0;
const NOTIFIED = 1;

/**
 * The control words of a batch buffer (it must start 4-byte aligned, as a `SharedArrayBuffer`'s
 * view does).
 *
 * @example
 * ```ts
 * const control = batchControl(buffer);
 * ```
 */
export function batchControl(buffer: Buffer): Int32Array {
  return new Int32Array(buffer.buffer, buffer.byteOffset, CONTROL_BYTES / 4);
}

/**
 * The main thread's side, before it posts a batch: nothing answered, no message unread.
 *
 * @example
 * ```ts
 * beginBatch(control);
 * worker.postMessage({ count });
 * ```
 */
export function beginBatch(control: Int32Array): void {
  Atomics.store(control, ANSWERED, 0);
  Atomics.store(control, NOTIFIED, 0);
}

/**
 * How many answers of the batch are written, as the main thread reads them (the answers it
 * counts are written).
 *
 * @example
 * ```ts
 * const n = answeredSoFar(control);
 * ```
 */
export function answeredSoFar(control: Int32Array): number {
  return Atomics.load(control, ANSWERED);
}

/**
 * The main thread's side of a progress message: marks it read, then reads how many answers are
 * written. In that order, an answer written after the read finds no message unread, and the
 * worker posts another: none goes unheard.
 *
 * @example
 * ```ts
 * worker.on('message', (m) => { if (checkedSoFar(m) !== undefined) resolveUpTo(readProgress(control)); });
 * ```
 */
export function readProgress(control: Int32Array): number {
  Atomics.store(control, NOTIFIED, 0);
  return Atomics.load(control, ANSWERED);
}

/**
 * The worker's side: whether to post a progress message now, true unless one it posted is still
 * unread (then that message covers this answer too).
 *
 * @example
 * ```ts
 * if (claimProgressMessage(control)) port.postMessage(progressMessage(checked));
 * ```
 */
export function claimProgressMessage(control: Int32Array): boolean {
  return Atomics.compareExchange(control, NOTIFIED, 0, 1) === 0;
}

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
 * The worker's side: checks `count` items after the control words of `buffer`, each against
 * its keys in turn with {@link verifyAsymmetricSignature} (the main thread's own check), writes
 * each answer in place and then the count of answers written; `onChecked(n)` is called once the
 * first `n` answers are written. A key number the worker does not hold refuses that key, never
 * the batch.
 *
 * @example
 * ```ts
 * checkBatch(buffer, message.count, keys, (n) => {
 *   if (n < message.count && claimProgressMessage(batchControl(buffer))) port.postMessage(-n);
 * });
 * ```
 */
export function checkBatch(
  buffer: Buffer,
  count: number,
  keys: ReadonlyMap<number, BatchKey>,
  onChecked?: (checked: number) => void,
): void {
  const control = batchControl(buffer);
  let offset = CONTROL_BYTES;
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
    Atomics.store(control, ANSWERED, n + 1);
    offset = (signatureStart + signatureLength + dataLength + 3) & ~3;
    onChecked?.(n + 1);
  }
}

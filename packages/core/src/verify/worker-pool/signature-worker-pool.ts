import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { decodedLength } from '../../jwt/base64url.js';
import type { ParsedJws } from '../../jwt/compact-jws.js';
import type { VerificationKey } from '../../keys/verification-key.js';
import { checkOnThisThread, type SignatureChecks } from '../signature-checks.js';
import {
  answeredSoFar,
  batchControl,
  beginBatch,
  checkedSoFar,
  CONTROL_BYTES,
  itemAnswer,
  readProgress,
  itemBytes,
  VERIFIED,
  WORKER_READY,
  writeItem,
  type BatchKey,
  type BatchMessage,
} from './signature-batch.js';
import { SIGNATURE_WORKER_SCRIPT } from './worker-entry.cjs';

/** How a {@link SignatureWorkerPool} runs. */
export interface SignatureWorkerPoolOptions {
  /** The most worker threads; the first starts at the first signature, the others as queues build up. */
  threads: number;
  /**
   * The most signatures queued for or in a worker. Past it a signature is checked on the main
   * thread at once: memory and waiting stay bounded whatever the burst.
   */
  maxPending: number;
  /** The most signatures in one message to a worker. Default 64. */
  maxBatch?: number;
  /** Where a failing worker is reported. Default `process.emitWarning`. */
  warn?: (message: string) => void;
  /** The worker's script (tests start one that cannot run). Default core's own. */
  script?: string | URL;
}

/** What a pool has done, for tests and benchmarks. */
export interface SignatureWorkerPoolStats {
  /** Worker threads running or starting. */
  threads: number;
  /** Of those, the ones taking signatures. */
  ready: number;
  /** Signatures queued or in a worker now, not yet answered. */
  pending: number;
  /** Signatures answered by a worker. */
  offThread: number;
  /** Signatures checked on the main thread instead: no worker ready yet, a full queue, a failed worker, a closed pool. */
  onThread: number;
  /** Of those, the ones a full queue sent there. */
  overflowed: number;
  /** Batches answered by a worker. */
  batches: number;
  /** Workers that ended without being asked to. */
  failures: number;
  /** True once the pool gave up starting workers (they kept failing) or was closed. */
  stopped: boolean;
  /** True once `close()` was called. */
  closed: boolean;
}

interface PendingSignature {
  jws: ParsedJws;
  keys: readonly VerificationKey[];
  resolve(verified: boolean): void;
  /** Where the item sits in its worker's batch buffer. */
  offset: number;
}

interface SignatureThread {
  worker: Worker;
  ready: boolean;
  /** The batch the worker is checking; at most one at a time. */
  batch: PendingSignature[] | undefined;
  /** How many of the batch's signatures are answered already (from the worker's progress). */
  answered: number;
  /** The buffer shared with this worker, once the first batch was written, and its control words. */
  buffer: Buffer | undefined;
  control: Int32Array | undefined;
  /** Key numbers the worker holds. */
  keys: Set<number>;
}

const DEFAULT_MAX_BATCH = 64;
/** Keys a worker holds before it is told to drop them all: remote key sets rotate, the count must not grow forever. */
const MAX_KEYS_PER_WORKER = 256;
/** Signatures longer than any RSA key the suite accepts are refused on the main thread. */
const MAX_SIGNATURE_BYTES = 2048;
/** Workers that fail to start, one after another, before the pool stops trying. */
const MAX_FAILED_STARTS = 3;

/** A number for each public key, the same for every worker: what batches name keys by. */
const keyNumbers = new WeakMap<KeyObject, number>();
let lastKeyNumber = 0;

function keyNumber(key: KeyObject): number {
  let id = keyNumbers.get(key);
  if (id === undefined) keyNumbers.set(key, (id = ++lastKeyNumber));
  return id;
}

const emitWarning = (message: string): void =>
  process.emitWarning(message, { code: 'POMERIUM_AUTH_SIGNATURE_WORKER' });

/**
 * Checks assertion signatures on a few worker threads, many signatures per message: the main
 * thread writes a batch into a buffer it shares with a worker and posts one message, the worker
 * (which holds the public keys it was sent once) checks them in turn with the main thread's own
 * check, each answer in place, and says so as it goes (one progress message covers every answer
 * written before the main thread read it; signature-batch.ts). Each worker has at most one batch
 * in flight; signatures that arrive meanwhile wait and leave together when it has answered the
 * whole batch, so under load a batch grows with the load and the cost of the two thread
 * hand-offs is shared by all its signatures. At no load a signature leaves alone, at once.
 *
 * Every signature is answered, and by a real check: when no worker is ready yet (the first one
 * starts at the first signature), when `maxPending` signatures are already waiting, when a worker
 * ends (a crash, `close()`) with a batch in flight, or after workers kept failing to start, the
 * signature is checked on the main thread instead. Workers never keep the process alive while
 * idle (`unref`), and do while they hold a batch, so a script that awaits a verification gets
 * its answer.
 *
 * @example
 * ```ts
 * const pool = new SignatureWorkerPool({ threads: 1, maxPending: 64 });
 * const verified = await pool.check(parseCheckedJws(token), keys);
 * await pool.close();
 * ```
 */
export class SignatureWorkerPool implements SignatureChecks {
  readonly #options: Required<Omit<SignatureWorkerPoolOptions, 'script'>> & {
    script: string | URL;
  };
  readonly #threads: SignatureThread[] = [];
  readonly #queue: PendingSignature[] = [];
  #pending = 0;
  #flushScheduled = false;
  #stopped = false;
  #closing: Promise<void> | undefined;
  #failedStarts = 0;
  readonly #stats = { offThread: 0, onThread: 0, overflowed: 0, batches: 0, failures: 0 };

  constructor(options: SignatureWorkerPoolOptions) {
    this.#options = {
      maxBatch: DEFAULT_MAX_BATCH,
      warn: emitWarning,
      script: SIGNATURE_WORKER_SCRIPT,
      ...options,
    };
  }

  /**
   * Whether the signature verifies with one of `keys` (tried in turn): a promise when a worker
   * checks it, the answer itself when the main thread had to. Never rejects.
   */
  check(jws: ParsedJws, keys: readonly VerificationKey[]): boolean | Promise<boolean> {
    if (
      this.#stopped ||
      keys.length === 0 ||
      keys.length > 255 ||
      decodedLength(jws.signatureText.length) > MAX_SIGNATURE_BYTES
    )
      return this.#onThisThread(jws, keys);
    if (this.#pending >= this.#options.maxPending) {
      this.#stats.overflowed++;
      return this.#onThisThread(jws, keys);
    }
    if (!this.#threads.some((t) => t.ready)) {
      // A worker takes tens of milliseconds to start: nobody waits for it.
      if (this.#threads.length === 0) this.#startThread();
      return this.#onThisThread(jws, keys);
    }
    this.#pending++;
    return new Promise<boolean>((resolve) => {
      this.#queue.push({ jws, keys, resolve, offset: 0 });
      this.#scheduleFlush();
    });
  }

  /**
   * Ends every worker and checks whatever they held on the main thread. Later signatures are
   * checked on the main thread. Resolves once the threads have exited.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#stopped = true;
    // Each worker holds the process open until it has ended: code awaiting close() runs.
    const ending = this.#threads.map((t) => {
      t.worker.ref();
      return t.worker.terminate();
    });
    this.#closing = Promise.all(ending).then(() => {
      this.#drainOnThisThread();
    });
    return this.#closing;
  }

  /** Counters and the current state. */
  stats(): SignatureWorkerPoolStats {
    return {
      ...this.#stats,
      threads: this.#threads.length,
      ready: this.#threads.filter((t) => t.ready).length,
      pending: this.#pending,
      stopped: this.#stopped,
      closed: this.#closing !== undefined,
    };
  }

  /** The worker threads, for tests that make one fail. */
  workers(): readonly Worker[] {
    return this.#threads.map((t) => t.worker);
  }

  #onThisThread(jws: ParsedJws, keys: readonly VerificationKey[]): boolean {
    this.#stats.onThread++;
    return checkOnThisThread(jws, keys);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    if (!this.#threads.some((t) => t.ready && t.batch === undefined)) {
      // Every worker is busy: the first to answer takes the queue. Another starts if there is room.
      if (this.#queue.length > this.#options.maxBatch / 2 && this.#threads.every((t) => t.ready))
        this.#startThread();
      return;
    }
    // After the current turn of the event loop: requests read together leave together.
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#stopped) return;
    for (const thread of this.#threads) {
      if (this.#queue.length === 0) return;
      if (thread.ready && thread.batch === undefined) this.#send(thread);
    }
  };

  #startThread(): void {
    if (this.#stopped || this.#threads.length >= this.#options.threads) return;
    let worker: Worker;
    try {
      worker = new Worker(this.#options.script, { name: 'pomerium-auth signatures' });
    } catch (err) {
      this.#failedToStart(err);
      return;
    }
    const thread: SignatureThread = {
      worker,
      ready: false,
      batch: undefined,
      answered: 0,
      buffer: undefined,
      control: undefined,
      keys: new Set(),
    };
    this.#threads.push(thread);
    let error: unknown;
    worker.on('message', (message: unknown) => this.#answered(thread, message));
    worker.on('error', (err) => void (error = err));
    worker.on('messageerror', (err) => void (error = err));
    worker.once('exit', (code) => this.#exited(thread, code, error));
    // After the listeners: Node refs a worker again when its first 'message' listener is added.
    worker.unref();
  }

  #send(thread: SignatureThread): void {
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    const message: BatchMessage = { count: batch.length };
    let bytes = CONTROL_BYTES;
    const needed = new Set<number>();
    for (const item of batch) {
      bytes += itemBytes(
        item.jws.signingInput.length,
        item.jws.signatureText.length,
        item.keys.length,
      );
      for (const k of item.keys) needed.add(keyNumber(k.key));
    }
    if (thread.buffer === undefined || thread.buffer.length < bytes) {
      const size = Math.max(bytes, 2 * (thread.buffer?.length ?? 32 * 1024));
      message.buffer = new SharedArrayBuffer(size);
      thread.buffer = Buffer.from(message.buffer);
      thread.control = batchControl(thread.buffer);
    }
    let unknown = [...needed].filter((id) => !thread.keys.has(id));
    if (unknown.length > 0 && thread.keys.size + unknown.length > MAX_KEYS_PER_WORKER) {
      message.forget = true;
      thread.keys.clear();
      unknown = [...needed];
    }
    if (unknown.length > 0) {
      const keys: BatchKey[] = [];
      for (const item of batch)
        for (const k of item.keys) {
          const id = keyNumber(k.key);
          if (unknown.includes(id) && !thread.keys.has(id)) {
            thread.keys.add(id);
            keys.push({ id, alg: k.alg, key: k.key });
          }
        }
      message.keys = keys;
    }
    let offset = CONTROL_BYTES;
    for (const item of batch) {
      item.offset = offset;
      offset = writeItem(
        thread.buffer,
        offset,
        item.jws.signingInput,
        item.jws.signatureText,
        item.keys.map((k) => keyNumber(k.key)),
      );
    }
    beginBatch(thread.control!);
    thread.batch = batch;
    thread.worker.ref();
    try {
      thread.worker.postMessage(message);
    } catch {
      // Nothing the pool sends should fail to clone; if it does, the batch is still answered.
      thread.batch = undefined;
      thread.keys.clear();
      thread.worker.unref();
      this.#answerOnThisThread(batch);
    }
  }

  #answered(thread: SignatureThread, message: unknown): void {
    if (message === WORKER_READY) {
      thread.ready = true;
      this.#failedStarts = 0;
      if (this.#queue.length > 0) this.#scheduleFlush();
      return;
    }
    const batch = thread.batch;
    if (batch === undefined) return;
    if (checkedSoFar(message) !== undefined) {
      // Answered as each is checked: a request waits for its own signature, not its batch. The
      // message may be older than the answers written since: the count in the buffer says.
      this.#resolveAnswered(thread, batch, Math.min(readProgress(thread.control!), batch.length));
      return;
    }
    if (message !== batch.length) return;
    this.#resolveAnswered(thread, batch, batch.length);
    thread.batch = undefined;
    thread.answered = 0;
    this.#stats.batches++;
    if (this.#stopped) this.#drainOnThisThread();
    else if (this.#queue.length === 0) thread.worker.unref();
    else this.#send(thread);
  }

  /**
   * Resolves the batch's signatures the worker has answered since the last call, up to `upTo`:
   * from then on they are no longer pending.
   */
  #resolveAnswered(thread: SignatureThread, batch: PendingSignature[], upTo: number): void {
    // Every answer is read before the buffer is written again (after the batch's last message).
    for (let i = thread.answered; i < upTo; i++) {
      const item = batch[i]!;
      item.resolve(itemAnswer(thread.buffer!, item.offset) === VERIFIED);
    }
    if (upTo <= thread.answered) return;
    this.#pending -= upTo - thread.answered;
    this.#stats.offThread += upTo - thread.answered;
    thread.answered = upTo;
  }

  #exited(thread: SignatureThread, code: number, error: unknown): void {
    this.#threads.splice(this.#threads.indexOf(thread), 1);
    if (!this.#stopped) {
      if (!thread.ready) this.#failedToStart(error ?? new Error(`exit code ${code}`));
      else {
        this.#stats.failures++;
        this.#options.warn(
          `pomerium-auth: a signature worker ended (${describe(error, code)}); its signatures were checked on the main thread, and a new worker starts at the next one`,
        );
      }
    }
    const batch = thread.batch;
    thread.batch = undefined;
    if (batch !== undefined) {
      // What the worker answered before it ended stands, told or not; the rest is checked here.
      this.#resolveAnswered(thread, batch, Math.min(answeredSoFar(thread.control!), batch.length));
      const answered = thread.answered;
      thread.answered = 0;
      this.#answerOnThisThread(batch.slice(answered));
    }
    if (!this.#threads.some((t) => t.ready)) this.#drainOnThisThread();
    else if (this.#queue.length > 0) this.#scheduleFlush();
  }

  #failedToStart(error: unknown): void {
    if (++this.#failedStarts < MAX_FAILED_STARTS) return;
    this.#stopped = true;
    this.#drainOnThisThread();
    this.#options.warn(
      `pomerium-auth: signature workers cannot start (${describe(error)}); assertions are verified on the main thread`,
    );
  }

  #answerOnThisThread(batch: PendingSignature[]): void {
    this.#pending -= batch.length;
    for (const item of batch) item.resolve(this.#onThisThread(item.jws, item.keys));
  }

  #drainOnThisThread(): void {
    this.#answerOnThisThread(this.#queue.splice(0));
  }
}

function describe(error: unknown, code?: number): string {
  if (error instanceof Error) return error.message;
  return code === undefined ? String(error) : `exit code ${code}`;
}

// The entry point of a signature worker (a `worker_threads` thread started by
// SignatureWorkerPool): it holds the public keys it was sent and checks batches of signatures
// in the buffer it shares with the main thread (signature-batch.ts): one message in per batch;
// out, a progress message after an answer unless the last one is still unread, and the batch's
// count after its last answer. Anything unexpected ends the thread; the pool then checks that
// batch on the main thread.
import { parentPort } from 'node:worker_threads';
import {
  batchControl,
  checkBatch,
  claimProgressMessage,
  progressMessage,
  WORKER_READY,
  type BatchKey,
  type BatchMessage,
} from './signature-batch.js';

const port = parentPort;
if (port === null)
  throw new Error('signature-worker runs as a worker thread of SignatureWorkerPool');

const keys = new Map<number, BatchKey>();
let batch: Buffer | undefined;

port.on('message', (message: BatchMessage) => {
  if (message.forget) keys.clear();
  if (message.keys) for (const key of message.keys) keys.set(key.id, key);
  if (message.buffer) batch = Buffer.from(message.buffer);
  if (batch === undefined) throw new Error('a batch arrived before its buffer');
  const { count } = message;
  const control = batchControl(batch);
  checkBatch(batch, count, keys, (checked) => {
    if (checked < count && claimProgressMessage(control))
      port.postMessage(progressMessage(checked));
  });
  port.postMessage(count);
});
port.postMessage(WORKER_READY);

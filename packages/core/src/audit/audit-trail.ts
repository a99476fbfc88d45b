import { channel } from 'node:diagnostics_channel';
import { PomeriumAuthConfigError } from '../errors.js';
import { AUDIT_CHANNEL, type AuditEvent, type AuditSink } from './events.js';

const auditChannel = channel(AUDIT_CHANNEL);
const SUCCESS = new Set(['authenticated', 'impersonation_granted']);

/** Delivers audit events without ever breaking or delaying a request. */
export interface AuditTrail {
  /** True when anyone listens: the sink, or a `pomerium-auth:audit` subscriber. */
  readonly active: boolean;
  /** Queues one event; delivery happens after the current request's work, off its path. */
  emit(event: AuditEvent): void;
  /** True while an emitted event is still queued, so a later decision may still revise it. */
  isQueued(event: AuditEvent): boolean;
}

function checkSink(sink: unknown): AuditSink | undefined {
  if (sink === undefined || sink === false || sink === null) return undefined;
  if (typeof sink === 'function') return sink as AuditSink;
  if (
    typeof sink === 'object' &&
    typeof (sink as { info?: unknown }).info === 'function' &&
    typeof (sink as { warn?: unknown }).warn === 'function'
  ) {
    return sink as AuditSink;
  }
  throw new PomeriumAuthConfigError(
    'audit',
    'must be a function, a logger with info() and warn(), or false',
  );
}

/**
 * Builds the audit trail of one `createPomeriumAuth` instance. Events are published on
 * `node:diagnostics_channel` channel `pomerium-auth:audit` and handed to the `audit` option, in
 * a batch on `setImmediate`: a sink that throws, rejects or is slow cannot fail or hold up the
 * request that caused the event. A failing sink is reported once with `process.emitWarning`.
 */
export function createAuditTrail(sinkOption: unknown): AuditTrail {
  const sink = checkSink(sinkOption);
  let queue: AuditEvent[] = [];
  let warned = false;

  const report = (err: unknown): void => {
    if (warned) return;
    warned = true;
    process.emitWarning(
      `pomerium-auth: the audit sink failed (${err instanceof Error ? err.message : String(err)}); further failures are not reported`,
    );
  };

  const deliver = (event: AuditEvent): void => {
    if (auditChannel.hasSubscribers) {
      try {
        auditChannel.publish(event);
      } catch (err) {
        report(err);
      }
    }
    if (!sink) return;
    try {
      const result =
        typeof sink === 'function'
          ? sink(event)
          : SUCCESS.has(event.event)
            ? sink.info(event, `pomerium-auth: ${event.event}`)
            : sink.warn(event, `pomerium-auth: ${event.event}`);
      if (result && typeof (result as Promise<unknown>).then === 'function')
        (result as Promise<unknown>).then(undefined, report);
    } catch (err) {
      report(err);
    }
  };

  const flush = (): void => {
    const batch = queue;
    queue = [];
    for (const event of batch) deliver(event);
  };

  return {
    get active() {
      return sink !== undefined || auditChannel.hasSubscribers;
    },
    emit(event) {
      if (queue.push(event) === 1) setImmediate(flush);
    },
    isQueued(event) {
      return queue.includes(event);
    },
  };
}

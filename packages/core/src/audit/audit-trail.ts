import { channel } from 'node:diagnostics_channel';
import { PomeriumAuthConfigError } from '../errors.js';
import { isThenable } from '../lookups/bounded-lookup.js';
import type { WarningLogger } from '../options.js';
import { AUDIT_CHANNEL, type AuditEvent, type AuditEventName, type AuditSink } from './events.js';

const auditChannel = channel(AUDIT_CHANNEL);
const GRANTS: ReadonlySet<AuditEventName> = new Set([
  'authenticated',
  'impersonation_granted',
  'access_granted',
]);

/** Delivers each audit event when its decision is made, in the request's own async context. */
export interface AuditTrail {
  /** True when anyone listens: the sink, or a `pomerium-auth:audit` subscriber. */
  readonly active: boolean;
  /** Delivers one (frozen) event, synchronously: to the channel, then to the sink. */
  emit(event: AuditEvent): void;
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
 * Builds the audit trail of one `createPomeriumAuth` instance. Each event is delivered when its
 * decision is made, before the decision returns, in the caller's async context (so a sink or
 * subscriber reading an `AsyncLocalStorage` store sees the request's own): published on
 * `node:diagnostics_channel` channel `pomerium-auth:audit`, then handed to the `audit` option
 * (a function, or a pino-style logger: `info` for grants, `warn` for refusals). The sink runs on
 * the request's path, as any logger call does: give it an asynchronous logger (pino with an
 * asynchronous destination). A sink that throws or rejects never changes the answer; the first
 * such failure is reported through `logger` (or `process.emitWarning`). A channel subscriber
 * that throws does not change the answer either, but Node's `diagnostics_channel` reports it
 * itself, as an uncaught exception on the next tick: subscribers must not throw.
 */
export function createAuditTrail(sinkOption: unknown, logger?: WarningLogger): AuditTrail {
  const sink = checkSink(sinkOption);
  let reported = false;

  const report = (err: unknown): void => {
    if (reported) return;
    reported = true;
    const message = `pomerium-auth: the audit sink failed (${err instanceof Error ? err.message : String(err)}); further failures are not reported`;
    try {
      if (logger) logger.warn(message);
      else process.emitWarning(message, 'PomeriumAuthWarning');
    } catch {
      // Reporting must not fail the request either.
    }
  };

  return {
    get active() {
      return sink !== undefined || auditChannel.hasSubscribers;
    },
    emit(event) {
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
            : GRANTS.has(event.event)
              ? sink.info(event, `pomerium-auth: ${event.event}`)
              : sink.warn(event, `pomerium-auth: ${event.event}`);
        if (isThenable(result)) result.then(undefined, report);
      } catch (err) {
        report(err);
      }
    },
  };
}

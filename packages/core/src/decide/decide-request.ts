import {
  auditEvent,
  decisionRequestId,
  rememberRequestId,
  type EventFacts,
} from '../audit/audit-event.js';
import type { AuditEventName } from '../audit/events.js';
import type { ResolvedOptions } from '../config/resolve-options.js';
import {
  CredentialsRequiredError,
  InvalidTokenError,
  isPomeriumAuthError,
  PomeriumAuthError,
} from '../errors.js';
import type { Identity } from '../identity.js';
import {
  decideImpersonation,
  type ImpersonationOutcome,
} from '../impersonation/decide-impersonation.js';
import {
  readImpersonationAsk,
  removeImpersonationHeaders,
  type ImpersonationAsk,
} from '../impersonation/impersonation-request.js';
import type { Maybe } from '../lookups/bounded-lookup.js';
import { ownHeader, type AuthRequest } from '../request.js';
import type { RouteRule } from '../route/route-rule.js';
import type { VerifiedCredential } from '../verify/verified-credential.js';
import { verifyCredential } from '../verify/verify-credential.js';
import { applyClaimHeaders } from '../credentials/claim-headers.js';
import type { CredentialSource } from '../identity.js';

/** The sources whose credential is an assertion Pomerium signed. */
const ASSERTION_SOURCES: ReadonlySet<CredentialSource> = new Set([
  'assertion',
  'authorization-bearer-assertion',
]);
import { applyPolicy } from './apply-policy.js';
import { narrowRoute } from './later-decisions.js';
import { routePlan, type RoutePlan } from './route-plan.js';

/**
 * One request's decision, in the order a request meets it: find and verify the credential, read
 * and decide any impersonation (the gate, audited as one event), then each route rule that can
 * only narrow (each refusal its own event). Synchronous unless something has to be awaited (a
 * key fetch, a lookup); every refusal is thrown (or the promise rejects) as a
 * `PomeriumAuthError`, and nothing else.
 */
export function decideRequest(
  opts: ResolvedOptions,
  request: AuthRequest,
  route: RouteRule | readonly RouteRule[] | undefined,
): Maybe<Identity | undefined> {
  const plan = routePlan(route);
  const requestId = decisionRequestId(request);
  const gate = new Gate(opts, request, requestId, plan);
  let pending: Maybe<VerifiedCredential | undefined>;
  try {
    pending = verifyCredential(opts.credentials, request);
  } catch (thrown) {
    throw gate.refusal(thrown);
  }
  if (pending instanceof Promise) {
    return pending.then(
      (credential) => gate.withCredential(credential),
      (thrown: unknown) => {
        throw gate.refusal(thrown);
      },
    );
  }
  return gate.withCredential(pending);
}

/** The gate's decision for one request: what it knows so far, and how it audits. */
class Gate {
  credential: VerifiedCredential | undefined;
  ask: ImpersonationAsk | undefined;

  constructor(
    readonly opts: ResolvedOptions,
    readonly request: AuthRequest,
    readonly requestId: string,
    readonly plan: RoutePlan,
  ) {}

  /** The decision once the credential is known (or known to be absent). */
  withCredential(credential: VerifiedCredential | undefined): Maybe<Identity | undefined> {
    const { opts, request } = this;
    let decided: Maybe<Identity | undefined>;
    try {
      this.credential = credential;
      if (opts.claimHeaders) {
        // Pomerium's unsigned claim headers are checked against the assertion that signed them.
        const signed =
          credential && ASSERTION_SOURCES.has(credential.source)
            ? credential.principal.claims
            : undefined;
        applyClaimHeaders(request, opts.claimHeaders, signed);
      }
      if (!credential) decided = this.anonymous();
      else {
        const ask = readImpersonationAsk(request, credential.principal, opts.impersonation);
        removeImpersonationHeaders(request, opts.impersonation);
        if (!ask) decided = this.granted(credential, undefined, undefined);
        else {
          this.ask = ask;
          decided = decideImpersonation(ask, {
            rules: opts.impersonation,
            directory: opts.directory,
            request,
            route: this.plan.impersonation,
            lookupTimeout: opts.lookupTimeout,
          }).then(
            (outcome) => this.granted(credential, ask, outcome),
            (thrown: unknown) => {
              throw this.refusal(thrown);
            },
          );
        }
      }
    } catch (thrown) {
      throw this.refusal(thrown);
    }
    // Later decisions audit their own refusals: they are outside the gate's.
    return decided instanceof Promise ? decided.then((i) => this.later(i)) : this.later(decided);
  }

  /** No credential: anonymous where the route and options allow it. */
  private anonymous(): undefined {
    const { opts, request } = this;
    const rules = opts.impersonation;
    const askedByHeader =
      (rules.header !== undefined && ownHeader(request.headers, rules.header) !== undefined) ||
      (rules.groupsHeader !== undefined &&
        ownHeader(request.headers, rules.groupsHeader) !== undefined);
    removeImpersonationHeaders(request, rules);
    const required =
      this.plan.authentication === 'required' ||
      (opts.required && this.plan.authentication !== 'optional');
    // Nobody to authorize an impersonation: that needs a credential, even on optional routes.
    if (required || askedByHeader) throw new CredentialsRequiredError();
    // No identity will carry the id on: the request's later decisions find it here.
    rememberRequestId(request, this.requestId);
    return undefined;
  }

  /** The identity the gate grants, audited as `authenticated` or `impersonation_granted`. */
  private granted(
    credential: VerifiedCredential,
    ask: ImpersonationAsk | undefined,
    outcome: ImpersonationOutcome | undefined,
  ): Identity {
    const initiator = outcome?.initiator ?? credential.principal;
    const user = outcome?.user ?? initiator;
    const credentialInfo: Identity['credential'] =
      credential.exp === undefined
        ? { source: credential.source }
        : { source: credential.source, expiresAt: new Date(credential.exp * 1000) };
    const identity: Identity = {
      user,
      initiator,
      impersonating: outcome?.impersonating === true,
      credential: credentialInfo,
      requestId: this.requestId,
    };
    if (credential.onBehalfOf) identity.onBehalfOf = credential.onBehalfOf;
    if (ask && outcome?.impersonating) {
      identity.impersonation = { via: ask.via };
      if (ask.reason !== undefined) identity.impersonation.reason = ask.reason;
      if (outcome.grant !== undefined) identity.impersonation.grant = outcome.grant;
    }
    if (this.opts.audit.active) {
      const facts = this.facts(initiator, user);
      if (identity.impersonating)
        facts.impersonation = { ...this.askFacts(ask!), grant: outcome!.grant };
      this.emit(identity.impersonating ? 'impersonation_granted' : 'authenticated', facts);
    }
    return identity;
  }

  /**
   * The decisions after the gate's, each audited as its own event: the route rules that only
   * narrow, then the app-wide policy (authenticated requests only) and the route's policies.
   */
  private later(identity: Identity | undefined): Identity | undefined {
    const { opts, request, plan } = this;
    try {
      for (const rule of plan.narrowing) narrowRoute(opts, identity, request, rule);
      const requestId = identity?.requestId ?? this.requestId;
      if (opts.policy && identity) applyPolicy(opts, opts.policy, identity, request, requestId);
      for (const named of plan.policies) applyPolicy(opts, named, identity, request, requestId);
    } catch (thrown) {
      // Refusals were audited where they were decided; anything else is a fault, refused too.
      if (thrown instanceof PomeriumAuthError) throw thrown;
      throw this.refusal(thrown);
    }
    return identity;
  }

  /**
   * What a failure of the gate becomes: a `PomeriumAuthError` as it is; anything else (a fault
   * inside the suite, never the client's doing) an `invalid_token` with reason `internal_error`,
   * refused like any other. Audited as `impersonation_denied` once a credential asked to
   * impersonate, else as `authentication_failed`. The impersonation headers are removed.
   */
  refusal(thrown: unknown): PomeriumAuthError {
    const err = isPomeriumAuthError(thrown)
      ? thrown
      : new InvalidTokenError(
          'internal_error',
          `unexpected: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
          thrown,
        );
    // An app that handles the refusal itself may go on to later decisions: they share the id.
    rememberRequestId(this.request, this.requestId);
    // Refused is decided too: whatever failed (the credential, a repeated header, a claim
    // header), nothing downstream may read an impersonation header the gate did not grant.
    removeImpersonationHeaders(this.request, this.opts.impersonation);
    if (this.opts.audit.active) {
      const { credential, ask } = this;
      const denied = ask !== undefined && credential !== undefined;
      const facts = this.facts(ask?.initiator ?? credential?.principal, undefined);
      facts.error = err;
      if (denied) facts.impersonation = this.askFacts(ask);
      this.emit(denied ? 'impersonation_denied' : 'authentication_failed', facts);
    }
    return err;
  }

  private facts(initiator: EventFacts['initiator'], user: EventFacts['user']): EventFacts {
    const credential = this.credential;
    return {
      requestId: this.requestId,
      initiator,
      user,
      source: credential?.source,
      onBehalfOf: credential?.onBehalfOf,
    };
  }

  private askFacts(ask: ImpersonationAsk): NonNullable<EventFacts['impersonation']> {
    return { target: ask.target, via: ask.via, reason: ask.reason };
  }

  private emit(name: AuditEventName, facts: EventFacts): void {
    this.opts.audit.emit(auditEvent(name, this.request, facts));
  }
}

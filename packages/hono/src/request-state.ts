import type { PomeriumAuth, RouteRule } from '@pomerium-auth/core';
import type { Context } from 'hono';

/** What this package keeps about a request, out of the context's variables. */
interface RequestState {
  /** The authenticator that already decided this request (app-wide or earlier middleware). */
  auth?: PomeriumAuth;
  /** Route rules waiting for the route's own `pomeriumAuth()`. */
  rules?: RouteRule[];
}

/** Keyed by the context, which Hono creates per request: nobody else can see or collide with it. */
const states = new WeakMap<Context, RequestState>();

/** The authenticator that already decided this request, if one did. */
export function decidedBy(c: Context): PomeriumAuth | undefined {
  return states.get(c)?.auth;
}

/** Route rules waiting for the route's own `pomeriumAuth()`. */
export function pendingRules(c: Context): RouteRule[] | undefined {
  return states.get(c)?.rules;
}

/** Records that `auth` decided this request; rules waiting for it are spent. */
export function markDecided(c: Context, auth: PomeriumAuth): void {
  states.set(c, { auth });
}

/** Leaves a route rule for the route's own `pomeriumAuth()`. */
export function addPendingRule(c: Context, rule: RouteRule): void {
  const state = states.get(c);
  if (state === undefined) states.set(c, { rules: [rule] });
  else (state.rules ??= []).push(rule);
}

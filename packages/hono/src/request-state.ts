import { createRouteGate, type RouteGate } from '@pomerium-auth/core';
import type { Context } from 'hono';

/** The route-rule bookkeeping of this package's requests (core's one implementation), keyed by the context Hono creates per request. */
export const gate: RouteGate<Context> = createRouteGate<Context>();

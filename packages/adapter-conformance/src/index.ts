/**
 * `@pomerium-auth/adapter-conformance` (private): the behaviour table every adapter's tests run
 * over real HTTP, and its runner.
 *
 * @packageDocumentation
 */
export { listenOnLoopback } from './listen-on-loopback.js';
export {
  runConformance,
  type ConformanceApp,
  type ConformancePlacement,
  type ConformanceTarget,
} from './run-conformance.js';
export {
  CONFORMANCE_CASES,
  ok,
  anonymous,
  acts,
  refused,
  denied,
  overturned,
  allowedByPolicy,
  refusedByPolicy,
  type ConformanceCase,
  type ConformanceKit,
  type ConformanceOutcome,
  type ConformancePath,
  type PassOutcome,
  type RefusalOutcome,
  type AuditExpectation,
  type CaseHeaders,
} from './behaviour-table.js';
export {
  CONFORMANCE_USERS,
  CONFORMANCE_SERVICE_ACCOUNTS,
  CONFORMANCE_GRANTS,
  CONFORMANCE_PROTECT,
  CONFORMANCE_ROUTE_GRANTS,
  CONFORMANCE_POLICY,
  CONFORMANCE_APP_POLICY,
  createConformanceWorld,
  type ConformanceConfig,
  type ConformanceWorld,
} from './conformance-world.js';
export { whoamiBody, IMPERSONATION_HEADER_NAMES, type WhoamiBody } from './whoami-body.js';
export { conformanceContext, conformanceRequestId } from './conformance-context.js';
export { servedIssuer, type ServedIssuer } from './served-issuer.js';

import type { ImpersonationVia, Principal } from '../identity.js';
import {
  ownHeader,
  removeHeaders,
  singleHeaderValue,
  type AuthRequest,
  type HeaderValue,
} from '../request.js';
import type { ImpersonationRules } from './impersonation-rules.js';

/** A request to act as someone else, however it was made. Not yet a permission. */
export interface ImpersonationAsk {
  via: ImpersonationVia;
  /** Who asks: the authenticated principal, or the `act.sub` actor of an RFC 8693 token. */
  initiator: Principal;
  /**
   * Under an `act` claim, the token's own principal (its `sub`): who the request is when the
   * actor acts as itself. Otherwise the initiator is the authenticated principal.
   */
  subject?: Principal;
  /** The name asked for (id or email); undefined when only groups were asked for. */
  target?: string;
  /** Groups asked for. */
  groups: string[];
  reason?: string;
  /** A header asks on top of a token that already impersonates: refused, no chaining. */
  chained: boolean;
}

/** A user name never holds a comma, so `a, b` is two headers folded by Node; a reason may hold one. */
function headerText(
  request: AuthRequest,
  name: string | undefined,
  folded: boolean,
): string | undefined {
  return name === undefined
    ? undefined
    : singleHeaderValue(request, name, folded)?.trim() || undefined;
}

function headerList(headers: Record<string, HeaderValue>, name: string | undefined): string[] {
  if (name === undefined) return [];
  const value = ownHeader(headers, name);
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
}

/** The RFC 8693 actor of a token: `act.sub` (nested `act` is history; only the top level counts). */
function actor(
  claims: Readonly<Record<string, unknown>>,
): { sub: string; email?: string } | undefined {
  const act = claims.act;
  if (act === undefined || act === null) return undefined;
  if (
    typeof act !== 'object' ||
    Array.isArray(act) ||
    typeof (act as { sub?: unknown }).sub !== 'string' ||
    !(act as { sub: string }).sub
  ) {
    return { sub: '' };
  }
  const { sub, email } = act as { sub: string; email?: unknown };
  return typeof email === 'string' ? { sub, email } : { sub };
}

/**
 * Reads every way of asking for impersonation: the headers (configurable names), the historic
 * `impersonate_email` / `impersonate_groups` claims of service-account tokens, and an RFC 8693
 * `act` claim (`sub` is the effective user, `act.sub` the actor). Returns undefined when nothing
 * is asked.
 */
export function readImpersonationAsk(
  request: AuthRequest,
  principal: Principal,
  rules: ImpersonationRules,
): ImpersonationAsk | undefined {
  const headerTarget = headerText(request, rules.header, true);
  const headerGroups = headerList(request.headers, rules.groupsHeader);
  const reason = headerText(request, rules.reasonHeader, false);
  const headerAsked = headerTarget !== undefined || headerGroups.length > 0;

  let tokenAsk: ImpersonationAsk | undefined;
  const claims = principal.claims;
  const act = actor(claims);
  const claimsAsk =
    rules.fromTokenClaims &&
    typeof claims.impersonate_email === 'string' &&
    claims.impersonate_email !== '';
  if (act) {
    // An actor the suite will not evaluate must not pass as the subject: refuse, don't ignore.
    const initiator: Principal = { id: act.sub, groups: [], kind: principal.kind, claims };
    if (act.email !== undefined) initiator.email = act.email;
    // A token that also asks by impersonate_email asks twice: that is chaining, refused.
    tokenAsk = {
      via: 'act-claim',
      initiator,
      subject: principal,
      target: principal.id,
      groups: [],
      chained: claimsAsk,
    };
  } else if (claimsAsk) {
    const groups = Array.isArray(claims.impersonate_groups)
      ? (claims.impersonate_groups as string[]).slice()
      : [];
    tokenAsk = {
      via: 'token-claims',
      initiator: principal,
      target: claims.impersonate_email as string,
      groups,
      chained: false,
    };
  }

  if (tokenAsk) {
    if (reason !== undefined) tokenAsk.reason = reason;
    if (headerAsked) tokenAsk.chained = true;
    return tokenAsk;
  }
  if (!headerAsked) return undefined;
  const ask: ImpersonationAsk = {
    via: 'header',
    initiator: principal,
    groups: headerGroups,
    chained: false,
  };
  if (headerTarget !== undefined) ask.target = headerTarget;
  if (reason !== undefined) ask.reason = reason;
  return ask;
}

/** Removes the impersonation headers once decided, so nothing downstream applies them twice. */
export function removeImpersonationHeaders(request: AuthRequest, rules: ImpersonationRules): void {
  removeHeaders(request, rules.headerNames);
}

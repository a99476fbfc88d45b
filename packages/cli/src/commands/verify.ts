import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  ASSERTION_FOR_HEADER,
  ASSERTION_HEADER,
  createPomeriumAuth,
  decodeCompactJws,
  isPomeriumAuthError,
  POMERIUM_AUTHORIZATION_HEADER,
  type AuditEvent,
  type AuthRequest,
  type Identity,
  type PomeriumAuthError,
  type PomeriumAuthOptions,
  type Principal,
} from '@pomerium-auth/core';
import { EXIT_CODES, usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import {
  ASSERTION_SCHEMES,
  DEFAULT_COOKIE_NAME,
  SERVICE_ACCOUNT_TOKEN_SCHEMES,
  schemeFlag,
  schemeHeaders,
  type CredentialScheme,
} from '../credential-schemes.js';
import { formatPrincipal, labelled } from '../format-output.js';
import { VERIFY_HELP } from '../help-text.js';
import { loadOptionsFile } from '../load-options.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { readToken } from '../read-input.js';
import { parseHeaderLine, requestHeaders } from '../request-headers.js';
import { verifyOptions } from '../verify-options.js';

const SPECS: FlagSpecs = {
  config: { type: 'string' },
  'shared-secret': { type: 'string' },
  'legacy-raw': { type: 'boolean' },
  'jwks-url': { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  'derive-assertion-key': { type: 'boolean' },
  issuer: { type: 'string', multiple: true, list: true },
  audience: { type: 'string', multiple: true, list: true },
  'clock-tolerance': { type: 'string' },
  source: { type: 'string', multiple: true, list: true },
  'cookie-name': { type: 'string' },
  'assertion-for': { type: 'boolean' },
  'claim-headers': { type: 'string' },
  scheme: { type: 'string' },
  header: { type: 'string', multiple: true },
  method: { type: 'string' },
  path: { type: 'string' },
  json: { type: 'boolean' },
};

/** The schemes a credential argument can be sent in (the assertion-for header is not a credential). */
const CREDENTIAL_SCHEMES: readonly CredentialScheme[] = [
  ...ASSERTION_SCHEMES.filter((s) => s !== 'assertion-for'),
  ...SERVICE_ACCOUNT_TOKEN_SCHEMES,
];

/** Headers that carry a credential: with one of them given, no token argument is needed. */
const CREDENTIAL_HEADERS = new Set([
  ASSERTION_HEADER,
  POMERIUM_AUTHORIZATION_HEADER,
  'authorization',
  'cookie',
]);

/**
 * The header a token argument goes in when `--scheme` does not say: asymmetric tokens are
 * assertions, anything else a service-account token; each in the first of its channels the
 * options read.
 */
function defaultScheme(token: string, sources: PomeriumAuthOptions['sources']): CredentialScheme {
  let asymmetric = false;
  try {
    asymmetric = /^(ES|RS|PS)\d+$/.test(decodeCompactJws(token).header.alg);
  } catch {
    // core reports what is wrong with it
  }
  const reads = (source: string): boolean =>
    sources === undefined || sources.includes(source as never);
  if (asymmetric)
    return !reads('assertion') && reads('bearer-assertion')
      ? 'authorization-bearer-assertion'
      : 'assertion';
  return !reads('service-account') && reads('cookie') ? 'cookie' : 'authorization-bearer-pomerium';
}

function principalJson(p: Principal): Record<string, unknown> {
  return {
    id: p.id,
    email: p.email,
    name: p.name,
    groups: p.groups,
    kind: p.kind,
    serviceAccountId: p.serviceAccountId,
    claims: p.claims,
  };
}

/** What the credential source is called in the first line: `assertion`, `service-account token (cookie)`. */
function kindOf(source: string): string {
  if (source === 'assertion') return 'assertion';
  if (source === 'authorization-bearer-assertion') return `assertion (${source})`;
  return `service-account token (${source})`;
}

/**
 * `pomerium-auth verify [token]`: runs the core's `authenticate` on a request carrying the
 * credential (the argument in the header `--scheme` names, and any `--header` lines), with the
 * options an application would use (flags, `--config`, `POMERIUM_*` variables), and prints the
 * decision: the source read and the user, or the exact code, status, reason and detail.
 */
export async function runVerify(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('verify', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (flags.positionals.length > 1)
    throw usageError('verify', `unexpected arguments: ${flags.positionals.slice(1).join(' ')}`);
  const scheme = schemeFlag('verify', stringFlag(flags, 'scheme'), CREDENTIAL_SCHEMES);
  const lines = listFlag(flags, 'header').map((line) => parseHeaderLine('verify', line));
  const configFile = stringFlag(flags, 'config');
  const loaded =
    configFile === undefined
      ? { options: {} as PomeriumAuthOptions, close: () => undefined }
      : await loadOptionsFile(ctx, configFile);
  try {
    const { options, origins } = verifyOptions(ctx, flags, loaded);
    const audit: AuditEvent[] = [];
    options.audit = (e) => audit.push(e);
    options.cache = false;
    options.logger = {
      warn: (message) =>
        ctx.stderr.write(`warning: ${origins.inFlags(message.replace(/^pomerium-auth: /, ''))}\n`),
    };
    const auth = origins.check(() => createPomeriumAuth(options));

    // The credential: the argument (or standard input), unless the --header lines carry one.
    const carried = lines.some(([name]) => CREDENTIAL_HEADERS.has(name.toLowerCase()));
    const positional = flags.positionals[0];
    let sent: CredentialScheme | undefined;
    if (positional !== undefined || !carried) {
      const token = await readToken(ctx, 'verify', positional);
      sent = scheme ?? defaultScheme(token, options.sources);
      const cookieName = options.cookieName ?? DEFAULT_COOKIE_NAME;
      for (const [name, value] of Object.entries(schemeHeaders(token, sent, cookieName))) {
        if (lines.some(([other]) => other.toLowerCase() === name))
          throw usageError(
            'verify',
            `the token argument goes in the ${name} header (--scheme ${sent}), which a --header gives too`,
          );
        lines.push([name, value]);
      }
    } else if (scheme !== undefined) {
      throw usageError('verify', '--scheme says where the token argument goes: give a token');
    }
    const request: AuthRequest = {
      method: (stringFlag(flags, 'method') ?? 'GET').toUpperCase(),
      url: stringFlag(flags, 'path') ?? '/',
      ...requestHeaders(lines),
      ip: '127.0.0.1',
    };
    const forSent = lines.some(([name]) => name.toLowerCase() === ASSERTION_FOR_HEADER);
    const json = booleanFlag(flags, 'json');

    let identity: Identity | undefined;
    try {
      identity = await auth.authenticate(request);
    } catch (err) {
      if (!isPomeriumAuthError(err)) throw err;
      await nextTurn();
      return printRefusal(ctx, json, sent, err, audit, hintsFor(err, lines, options));
    }
    await nextTurn(); // audit events are delivered on the next turn
    if (!identity) {
      const message =
        'the request carries no credential this configuration reads, and required is false: it passed as anonymous';
      if (json)
        ctx.stdout.write(
          `${JSON.stringify({ valid: false, anonymous: true, scheme: sent, message }, null, 2)}\n`,
        );
      else ctx.stdout.write(`invalid  ${message}\n`);
      return EXIT_CODES.refused;
    }
    const notes: string[] = [];
    if (forSent && !options.assertionFor)
      notes.push(`${ASSERTION_FOR_HEADER} was not read: verifying it needs --assertion-for`);
    if (json) {
      ctx.stdout.write(
        `${JSON.stringify(
          {
            valid: true,
            scheme: sent,
            source: identity.credential.source,
            expiresAt: identity.credential.expiresAt?.toISOString(),
            impersonating: identity.impersonating,
            impersonation: identity.impersonation,
            user: principalJson(identity.user),
            initiator: principalJson(identity.initiator),
            onBehalfOf: identity.onBehalfOf ? principalJson(identity.onBehalfOf) : undefined,
            notes: notes.length > 0 ? notes : undefined,
            audit,
          },
          null,
          2,
        )}\n`,
      );
      return EXIT_CODES.ok;
    }
    const rows: Array<[string, string]> = [['user', formatPrincipal(identity.user)]];
    if (identity.impersonating) {
      rows.push(['initiator', formatPrincipal(identity.initiator)]);
      const imp = identity.impersonation!;
      rows.push([
        'via',
        `${imp.via}${imp.grant !== undefined ? `, grant "${imp.grant}"` : ''}${imp.reason !== undefined ? `, reason ${JSON.stringify(imp.reason)}` : ''}`,
      ]);
    }
    if (identity.onBehalfOf) rows.push(['on behalf of', formatPrincipal(identity.onBehalfOf)]);
    if (identity.user.serviceAccountId !== undefined)
      rows.push(['account', identity.user.serviceAccountId]);
    const exp = identity.credential.expiresAt;
    rows.push(['expires', exp ? exp.toISOString() : 'never (no exp claim)']);
    for (const note of notes) rows.push(['note', note]);
    ctx.stdout.write(
      `valid    ${kindOf(identity.credential.source)}${identity.impersonating ? ', impersonating' : ''}\n${labelled(rows, '  ')}`,
    );
    return EXIT_CODES.ok;
  } finally {
    loaded.close();
  }
}

/**
 * Why a request without a credential core reads may still carry one: a channel that is off.
 * Only for `no_credentials`; every other refusal says why in core's own reason and detail.
 */
function hintsFor(
  err: PomeriumAuthError,
  lines: ReadonlyArray<readonly [string, string]>,
  options: PomeriumAuthOptions,
): string[] {
  if (err.reason !== 'no_credentials') return [];
  const sources = options.sources;
  const on = (source: string): boolean => sources?.includes(source as never) ?? false;
  const canAssert =
    options.jwksUrl !== undefined ||
    (options.publicKeys?.length ?? 0) > 0 ||
    options.deriveAssertionKey === true;
  const hints: string[] = [];
  for (const [rawName, value] of lines) {
    const name = rawName.toLowerCase();
    if (name === ASSERTION_HEADER && !canAssert)
      hints.push('assertions need --jwks-url, --public-key or --derive-assertion-key');
    else if (name === ASSERTION_HEADER && sources !== undefined && !on('assertion'))
      hints.push(`${ASSERTION_HEADER} is read only with --source assertion`);
    else if (
      name === 'authorization' &&
      /^Bearer (?!Pomerium-)/.test(value) &&
      !on('bearer-assertion')
    )
      hints.push(
        'an assertion as Authorization: Bearer is read only with --source bearer-assertion',
      );
    else if (name === 'cookie' && !on('cookie'))
      hints.push(
        `a service-account token in a cookie is read only with --source cookie (the ${options.cookieName ?? DEFAULT_COOKIE_NAME} cookie; --cookie-name names another)`,
      );
    else if (name === 'cookie')
      hints.push(
        `the ${options.cookieName ?? DEFAULT_COOKIE_NAME} cookie is not in the Cookie header (--cookie-name names another)`,
      );
    else if (
      (name === POMERIUM_AUTHORIZATION_HEADER || name === 'authorization') &&
      options.sharedSecret === undefined
    )
      hints.push(
        'service-account tokens need --shared-secret (or POMERIUM_SHARED_SECRET, POMERIUM_SHARED_KEY)',
      );
  }
  return [...new Set(hints)];
}

function printRefusal(
  ctx: CommandContext,
  json: boolean,
  scheme: CredentialScheme | undefined,
  err: PomeriumAuthError,
  audit: AuditEvent[],
  hints: string[],
): number {
  const source = audit.find((e) => e.credential_source !== undefined)?.credential_source;
  if (json) {
    const body = {
      valid: false,
      scheme,
      source,
      error: err.error,
      status: err.status,
      reason: err.reason,
      detail: err.detail,
      description: err.description,
      hints: hints.length > 0 ? hints : undefined,
      audit,
    };
    ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return EXIT_CODES.refused;
  }
  const rows: Array<[string, string]> = [];
  if (source !== undefined) rows.push(['source', source]);
  rows.push(['client sees', `${err.status} ${JSON.stringify(err.toJSON())}`]);
  for (const hint of hints) rows.push(['hint', hint]);
  ctx.stdout.write(
    `invalid  ${err.error} (${err.status}): ${err.reason}${err.detail !== undefined ? ` — ${err.detail}` : ''}\n${labelled(rows, '  ')}`,
  );
  return EXIT_CODES.refused;
}

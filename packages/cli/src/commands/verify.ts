import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  createPomeriumAuth,
  decodeCompactJws,
  isPomeriumAuthError,
  type AuditEvent,
  type AuthRequest,
  type Identity,
  type PomeriumAuthError,
  type PomeriumAuthOptions,
  type Principal,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  serviceAccountHeaders,
  SERVICE_ACCOUNT_SCHEMES,
  type ServiceAccountScheme,
} from '@pomerium-auth/testing';
import { EXIT_CODES, usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { VERIFY_HELP } from '../help-text.js';
import { publicJwksOfFile } from '../key-files.js';
import { loadOptionsFile } from '../load-options.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { readToken } from '../read-input.js';
import { formatPrincipal, labelled } from '../format-output.js';

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
  scheme: { type: 'string' },
  header: { type: 'string', multiple: true },
  method: { type: 'string' },
  path: { type: 'string' },
  json: { type: 'boolean' },
};

/** The header a token is sent in: the assertion header or one of the three service-account schemes. */
export type TokenScheme = 'assertion' | ServiceAccountScheme;
const SCHEMES: readonly TokenScheme[] = ['assertion', ...SERVICE_ACCOUNT_SCHEMES];

/** Asymmetric tokens come as assertions; anything else is taken for a service-account token. */
function defaultScheme(token: string): TokenScheme {
  try {
    return /^(ES|RS|PS)\d+$/.test(decodeCompactJws(token).header.alg)
      ? 'assertion'
      : 'authorization-bearer-pomerium';
  } catch {
    return 'authorization-bearer-pomerium'; // core reports what is wrong with it
  }
}

function number(command: string, flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw usageError(command, `--${flag} must be a number of seconds`);
  return n;
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0)
    throw usageError('verify', `--header must read "name: value", got ${JSON.stringify(text)}`);
  return [text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim()];
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

/**
 * `pomerium-auth verify <token>`: runs the core's `authenticate` on a request carrying the
 * token, with the options an application would use (flags, `POMERIUM_*` variables, or
 * `--config`), and prints the decision; on failure the exact code, status, reason and detail.
 */
export async function runVerify(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('verify', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (flags.positionals.length > 1)
    throw usageError('verify', `unexpected arguments: ${flags.positionals.slice(1).join(' ')}`);
  const schemeFlag = stringFlag(flags, 'scheme');
  if (schemeFlag !== undefined && !SCHEMES.includes(schemeFlag as TokenScheme)) {
    throw usageError('verify', `--scheme must be one of ${SCHEMES.join(', ')}`);
  }
  const extraHeaders = listFlag(flags, 'header').map(parseHeader);
  const clockTolerance = number('verify', 'clock-tolerance', stringFlag(flags, 'clock-tolerance'));
  const configFile = stringFlag(flags, 'config');
  const loaded =
    configFile === undefined
      ? { options: {} as PomeriumAuthOptions, close: () => undefined }
      : await loadOptionsFile(ctx, configFile);
  try {
    const options: PomeriumAuthOptions = { ...loaded.options };
    const set = <K extends keyof PomeriumAuthOptions>(
      key: K,
      value: PomeriumAuthOptions[K] | undefined,
    ): void => {
      if (value !== undefined) options[key] = value;
    };
    set('sharedSecret', stringFlag(flags, 'shared-secret'));
    if (booleanFlag(flags, 'legacy-raw')) options.sharedSecretEncoding = 'legacy-raw';
    set('jwksUrl', stringFlag(flags, 'jwks-url'));
    const keyFiles = listFlag(flags, 'public-key');
    if (keyFiles.length > 0)
      options.publicKeys = [
        ...(options.publicKeys ?? []),
        ...keyFiles.flatMap((f) => publicJwksOfFile(ctx, f)),
      ];
    if (booleanFlag(flags, 'derive-assertion-key')) options.deriveAssertionKey = true;
    const issuers = listFlag(flags, 'issuer');
    if (issuers.length > 0) options.issuer = issuers;
    const audiences = listFlag(flags, 'audience');
    if (audiences.length > 0) options.audience = audiences;
    set('clockTolerance', clockTolerance);
    if (options.env === undefined) options.env = ctx.env;
    // pomerium-cli's variable for the same secret.
    const env = options.env === false ? {} : options.env;
    if (
      options.sharedSecret === undefined &&
      !env.POMERIUM_SHARED_SECRET?.trim() &&
      env.POMERIUM_SHARED_KEY?.trim()
    ) {
      options.sharedSecret = env.POMERIUM_SHARED_KEY.trim();
    }
    const audit: AuditEvent[] = [];
    options.audit = (e) => audit.push(e);
    options.cache = false;
    options.logger = {
      warn: (message) => ctx.stderr.write(`warning: ${message.replace(/^pomerium-auth: /, '')}\n`),
    };

    const token = await readToken(ctx, 'verify', flags.positionals[0]);
    const auth = createPomeriumAuth(options);
    const scheme = (schemeFlag as TokenScheme | undefined) ?? defaultScheme(token);
    const request: AuthRequest = {
      method: (stringFlag(flags, 'method') ?? 'GET').toUpperCase(),
      url: stringFlag(flags, 'path') ?? '/',
      headers: {
        ...Object.fromEntries(extraHeaders),
        ...(scheme === 'assertion'
          ? assertionHeaders(token)
          : serviceAccountHeaders(token, scheme)),
      },
      ip: '127.0.0.1',
    };
    let identity: Identity | undefined;
    try {
      identity = await auth.authenticate(request);
    } catch (err) {
      if (!isPomeriumAuthError(err)) throw err;
      await nextTurn();
      return printRefusal(ctx, booleanFlag(flags, 'json'), scheme, err, audit);
    }
    await nextTurn(); // audit events are delivered on the next turn
    const json = booleanFlag(flags, 'json');
    if (!identity) {
      const message = `the configuration does not accept ${scheme} tokens, and required is false: the request passed as anonymous`;
      if (json)
        ctx.stdout.write(
          `${JSON.stringify({ valid: false, anonymous: true, scheme, message }, null, 2)}\n`,
        );
      else ctx.stdout.write(`invalid  ${message}\n`);
      return EXIT_CODES.refused;
    }
    if (json) {
      ctx.stdout.write(
        `${JSON.stringify(
          {
            valid: true,
            scheme,
            source: identity.credential.source,
            expiresAt: identity.credential.expiresAt?.toISOString(),
            impersonating: identity.impersonating,
            impersonation: identity.impersonation,
            user: principalJson(identity.user),
            initiator: principalJson(identity.initiator),
            audit,
          },
          null,
          2,
        )}\n`,
      );
      return EXIT_CODES.ok;
    }
    const kind =
      identity.credential.source === 'assertion'
        ? 'assertion'
        : `service-account token (${identity.credential.source})`;
    const rows: Array<[string, string]> = [['user', formatPrincipal(identity.user)]];
    if (identity.impersonating) {
      rows.push(['initiator', formatPrincipal(identity.initiator)]);
      const imp = identity.impersonation!;
      rows.push([
        'via',
        `${imp.via}${imp.grant !== undefined ? `, grant "${imp.grant}"` : ''}${imp.reason !== undefined ? `, reason ${JSON.stringify(imp.reason)}` : ''}`,
      ]);
    }
    if (identity.user.serviceAccountId !== undefined)
      rows.push(['account', identity.user.serviceAccountId]);
    const exp = identity.credential.expiresAt;
    rows.push(['expires', exp ? exp.toISOString() : 'never (no exp claim)']);
    ctx.stdout.write(
      `valid    ${kind}${identity.impersonating ? ', impersonating' : ''}\n${labelled(rows, '  ')}`,
    );
    return EXIT_CODES.ok;
  } finally {
    loaded.close();
  }
}

function printRefusal(
  ctx: CommandContext,
  json: boolean,
  scheme: TokenScheme,
  err: PomeriumAuthError,
  audit: AuditEvent[],
): number {
  if (json) {
    const body = {
      valid: false,
      scheme,
      error: err.error,
      status: err.status,
      reason: err.reason,
      detail: err.detail,
      description: err.description,
      audit,
    };
    ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return EXIT_CODES.refused;
  }
  const rows: Array<[string, string]> = [
    ['client sees', `${err.status} ${JSON.stringify(err.toJSON())}`],
  ];
  if (err.reason === 'no_credentials') {
    rows.push([
      'hint',
      scheme === 'assertion'
        ? 'assertions need --jwks-url, --public-key or --derive-assertion-key'
        : 'service-account tokens need --shared-secret (or POMERIUM_SHARED_SECRET)',
    ]);
  }
  ctx.stdout.write(
    `invalid  ${err.error} (${err.status}): ${err.reason}${err.detail !== undefined ? ` — ${err.detail}` : ''}\n${labelled(rows, '  ')}`,
  );
  return EXIT_CODES.refused;
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  defineRouteRule,
  explainImpersonation,
  PomeriumAuthConfigError,
  PomeriumAuthError,
  type ExplainAnswer,
  type ExplainQuestion,
  type Grant,
  type PomeriumAuthOptions,
  type PomeriumAuthReason,
  type RouteRule,
} from '@pomerium-auth/core';
import { CliError, EXIT_CODES, usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { formatPrincipal, labelled } from '../format-output.js';
import { EXPLAIN_HELP } from '../help-text.js';
import { loadOptionsFile } from '../load-options.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';

const SPECS: FlagSpecs = {
  config: { type: 'string' },
  initiator: { type: 'string' },
  'initiator-email': { type: 'string' },
  'initiator-groups': { type: 'string', multiple: true, list: true },
  target: { type: 'string' },
  groups: { type: 'string', multiple: true, list: true },
  method: { type: 'string' },
  reason: { type: 'string' },
  'route-forbid': { type: 'boolean' },
  'route-grants': { type: 'string' },
  json: { type: 'boolean' },
};

/** What each refusal reason means, in the words of the options that cause it. */
const RULES: Partial<Record<PomeriumAuthReason, string>> = {
  impersonation_disabled: 'impersonation is disabled (impersonation: false or no header)',
  chaining: 'no chaining: an impersonated identity cannot impersonate again',
  forbidden_on_route: 'the route forbids impersonation (forbidImpersonation)',
  reason_required: 'a reason is required (impersonation.requireReason)',
  not_allowed: 'no grant lets this initiator act as this target',
  unknown_target: 'the target is not in the directory',
  protected_target: 'the target is protected (impersonation.protect)',
  group_not_allowed: "a group asked for is not in the grant's groups",
  read_only: 'the grant is read-only (GET, HEAD, OPTIONS only)',
  hook_denied: 'the canImpersonate hook said no',
};

function readRouteGrants(ctx: CommandContext, file: string): Grant[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8')) as unknown;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read route grants ${file}: ${code ?? (err as Error).message}`,
      EXIT_CODES.usage,
    );
  }
  // A grants array, `{ grants }`, or a whole route rule `{ impersonation: { grants } }`.
  const obj = value as { grants?: unknown; impersonation?: { grants?: unknown } } | null;
  const grants = Array.isArray(value)
    ? value
    : Array.isArray(obj?.grants)
      ? obj!.grants
      : obj?.impersonation?.grants;
  if (!Array.isArray(grants))
    throw new CliError(
      `${file} must hold an array of grants (or { "grants": [...] })`,
      EXIT_CODES.usage,
    );
  return grants as Grant[];
}

/**
 * `pomerium-auth explain`: a dry run of the impersonation rules of an options file: may this
 * initiator act as that target on this route, and which grant or rule decides. The decision is
 * the core's `explain`; this only formats it.
 */
export async function runExplain(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('explain', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(EXPLAIN_HELP);
    return 0;
  }
  if (flags.positionals.length > 0)
    throw usageError('explain', `unexpected arguments: ${flags.positionals.join(' ')}`);
  const configFile = stringFlag(flags, 'config');
  const initiatorName = stringFlag(flags, 'initiator');
  const target = stringFlag(flags, 'target');
  if (!configFile)
    throw usageError(
      'explain',
      '--config <options file> is required (the options the application uses)',
    );
  if (!initiatorName) throw usageError('explain', '--initiator <user id or email> is required');
  if (!target) throw usageError('explain', '--target <user id or email> is required');
  if (booleanFlag(flags, 'route-forbid') && stringFlag(flags, 'route-grants') !== undefined)
    throw usageError('explain', 'give --route-forbid or --route-grants, not both');

  let route: RouteRule | undefined;
  try {
    if (booleanFlag(flags, 'route-forbid')) route = defineRouteRule({ impersonation: 'forbid' });
    const grantsFile = stringFlag(flags, 'route-grants');
    if (grantsFile !== undefined)
      route = defineRouteRule({ impersonation: { grants: readRouteGrants(ctx, grantsFile) } });
  } catch (err) {
    if (err instanceof PomeriumAuthConfigError)
      throw new CliError(`route grants: ${err.message}`, EXIT_CODES.usage);
    throw err;
  }

  const loaded = await loadOptionsFile(ctx, configFile);
  try {
    // The initiator's groups: as given, else core reads them from the directory the app uses.
    const email = stringFlag(flags, 'initiator-email');
    const initiator: ExplainQuestion['initiator'] =
      flags.values['initiator-groups'] !== undefined || email !== undefined
        ? {
            id: initiatorName,
            groups: listFlag(flags, 'initiator-groups'),
            ...(email !== undefined
              ? { email }
              : initiatorName.includes('@')
                ? { email: initiatorName }
                : {}),
          }
        : initiatorName;
    const reason = stringFlag(flags, 'reason');
    const question: ExplainQuestion = {
      initiator,
      target,
      groups: listFlag(flags, 'groups'),
      method: (stringFlag(flags, 'method') ?? 'GET').toUpperCase(),
      ...(reason !== undefined ? { reason } : {}),
      ...(route ? { route } : {}),
    };
    const answer = await explainImpersonation(loaded.options, question);
    if (booleanFlag(flags, 'json')) {
      ctx.stdout.write(
        `${JSON.stringify({ question, answer, ...(answer.allowed ? {} : { rule: RULES[answer.reason as PomeriumAuthReason] }) }, null, 2)}\n`,
      );
    } else {
      ctx.stdout.write(
        formatAnswer(
          question,
          answer,
          typeof initiator === 'string'
            ? answer.initiator.fromDirectory
              ? 'from the directory'
              : directoryNote(loaded.options)
            : 'given',
        ),
      );
    }
    return answer.allowed ? EXIT_CODES.ok : EXIT_CODES.refused;
  } finally {
    loaded.close();
  }
}

function directoryNote(options: PomeriumAuthOptions): string {
  return options.directory === undefined ? 'none given' : 'not in the directory';
}

function formatAnswer(q: ExplainQuestion, a: ExplainAnswer, groupsFrom: string): string {
  const who = a.initiator;
  const route = Array.isArray(q.route) ? q.route[0] : (q.route as RouteRule | undefined);
  const on = `${q.method}${route?.impersonation === 'forbid' ? ' on a route that forbids impersonation' : route ? ' on a route with its own grants' : ''}`;
  const rows: Array<[string, string]> = [
    [
      'initiator',
      `${formatPrincipal(who)}${who.groups.length === 0 ? `  (no groups: ${groupsFrom})` : groupsFrom === 'from the directory' ? '  (groups from the directory)' : ''}`,
    ],
  ];
  if (q.groups && q.groups.length > 0) rows.push(['groups asked', q.groups.join(',')]);
  if (a.allowed && !a.impersonating) {
    return `allowed  ${who.id} asking for ${q.target} is not impersonation (the same user)\n${labelled(rows, '  ')}`;
  }
  if (a.allowed) {
    rows.push(['decided by', `grant "${a.grant ?? '(unnamed)'}"`]);
    if (a.effectiveUser) rows.push(['effective', formatPrincipal(a.effectiveUser)]);
    return `allowed  ${who.id} may act as ${q.target} (${on})\n${labelled(rows, '  ')}`;
  }
  const reason = a.reason as PomeriumAuthReason | undefined;
  rows.push([
    'decided by',
    `rule ${reason ?? 'unknown'}: ${(reason && RULES[reason]) ?? 'refused'}${a.detail !== undefined ? ` — ${a.detail}` : ''}`,
  ]);
  const status =
    reason === 'reason_required'
      ? new PomeriumAuthError('invalid_request', 'reason_required')
      : new PomeriumAuthError('impersonation_denied', reason ?? 'not_allowed');
  rows.push(['client sees', `${status.status} ${JSON.stringify(status.toJSON())}`]);
  return `denied   ${who.id} may not act as ${q.target} (${on})\n${labelled(rows, '  ')}`;
}

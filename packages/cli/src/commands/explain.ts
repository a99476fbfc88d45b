import { isIP } from 'node:net';
import {
  compilePolicy,
  defineRouteRule,
  explainImpersonation,
  isPomeriumAuthError,
  PomeriumAuthError,
  type CompiledPolicy,
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
import { loadOptionsFile, type LoadedOptions } from '../load-options.js';
import { OptionOrigins } from '../option-origins.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { formatPolicies } from '../policy-trace.js';
import { readNamedFile } from '../read-input.js';

const SPECS: FlagSpecs = {
  config: { type: 'string' },
  policy: { type: 'string', multiple: true },
  initiator: { type: 'string' },
  'initiator-email': { type: 'string' },
  'initiator-groups': { type: 'string', multiple: true, list: true },
  target: { type: 'string' },
  as: { type: 'string' },
  groups: { type: 'string', multiple: true, list: true },
  method: { type: 'string' },
  path: { type: 'string' },
  ip: { type: 'string' },
  time: { type: 'string' },
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
  invalid_target: 'the target is not a name the rules accept',
  protected_target: 'the target is protected (impersonation.protect)',
  group_not_allowed: "a group asked for is not in the grant's groups",
  read_only: 'the grant is read-only (GET, HEAD, OPTIONS only)',
  hook_denied: 'the canImpersonate hook said no',
  policy_denied: 'a policy refuses the effective user',
  lookup_failed: 'the directory could not be read',
  lookup_timeout: 'the directory did not answer in time (lookupTimeout)',
};

/** How the command line named the route's rules, for the output. */
interface RouteFlags {
  impersonation?: 'forbid' | 'grants';
  policies: string[];
}

function readRouteGrants(ctx: CommandContext, file: string): Grant[] {
  const text = readNamedFile(ctx, file, 'route grants');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, EXIT_CODES.usage);
  }
  // A grants array, `{ grants }`, or a whole route rule `{ impersonation: { grants } }`.
  const obj = value as { grants?: unknown; impersonation?: { grants?: unknown } } | null;
  const grants = Array.isArray(value)
    ? value
    : Array.isArray(obj?.grants)
      ? obj.grants
      : obj?.impersonation?.grants;
  if (!Array.isArray(grants))
    throw new CliError(
      `${file} must hold an array of grants (or { "grants": [...] })`,
      EXIT_CODES.usage,
    );
  return grants as Grant[];
}

/** A `--policy` file, checked with core's rules; a mistake names the path inside the document. */
function readPolicy(ctx: CommandContext, file: string): CompiledPolicy {
  const text = readNamedFile(ctx, file, 'policy file');
  const where = `the policy file ${file} (--policy)`;
  const origins = new OptionOrigins({}, (option) =>
    option === 'policy' ? where : `${where}, at ${option}`,
  );
  return origins.check(() => compilePolicy(text, { name: file }));
}

/** `[METHOD] [PATH]` after the flags, or `--method` and `--path`; default `GET /`. */
function requestLine(
  positionals: readonly string[],
  flags: ReturnType<typeof parseFlags>,
): { method: string; path: string | undefined } {
  if (positionals.length > 2)
    throw usageError('explain', `unexpected arguments: ${positionals.slice(2).join(' ')}`);
  let method: string | undefined;
  let path: string | undefined;
  if (positionals.length === 2) [method, path] = positionals;
  else if (positionals.length === 1) {
    if (positionals[0]!.startsWith('/')) path = positionals[0];
    else method = positionals[0];
  }
  const methodFlag = stringFlag(flags, 'method');
  const pathFlag = stringFlag(flags, 'path');
  if (method !== undefined && methodFlag !== undefined)
    throw usageError('explain', `the method is given twice: ${method} and --method ${methodFlag}`);
  if (path !== undefined && pathFlag !== undefined)
    throw usageError('explain', `the path is given twice: ${path} and --path ${pathFlag}`);
  method ??= methodFlag;
  path ??= pathFlag;
  if (method !== undefined && !/^[A-Za-z]+$/.test(method))
    throw usageError(
      'explain',
      `${JSON.stringify(method)} is not an HTTP method (GET, POST, ...); the target goes in --as`,
    );
  if (path !== undefined && !path.startsWith('/'))
    throw usageError('explain', `the path must start with /, got ${JSON.stringify(path)}`);
  return { method: (method ?? 'GET').toUpperCase(), path };
}

/**
 * `pomerium-auth explain`: a dry run of an application's rules: may this initiator (acting as that
 * target, when one is named) make this request on this route, and which grant, rule, policy and
 * criteria decide. The decision is the core's `explain`; this only formats it.
 */
export async function runExplain(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('explain', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(EXPLAIN_HELP);
    return 0;
  }
  const { method, path } = requestLine(flags.positionals, flags);
  const configFile = stringFlag(flags, 'config');
  const policyFiles = listFlag(flags, 'policy');
  const initiatorName = stringFlag(flags, 'initiator');
  const targetFlag = stringFlag(flags, 'target');
  const asFlag = stringFlag(flags, 'as');
  if (!configFile && policyFiles.length === 0)
    throw usageError(
      'explain',
      '--config <options file> is required (the options the application uses), or --policy <file> to explain a route policy alone',
    );
  if (!initiatorName) throw usageError('explain', '--initiator <user id or email> is required');
  if (targetFlag !== undefined && asFlag !== undefined && targetFlag !== asFlag)
    throw usageError('explain', '--as and --target both name the target: give one');
  const target = targetFlag ?? asFlag;
  if (target === '') throw usageError('explain', 'the target (--as, --target) must not be empty');
  if (booleanFlag(flags, 'route-forbid') && stringFlag(flags, 'route-grants') !== undefined)
    throw usageError('explain', 'give --route-forbid or --route-grants, not both');
  const ip = stringFlag(flags, 'ip');
  if (ip !== undefined && isIP(ip) === 0)
    throw usageError('explain', `--ip ${JSON.stringify(ip)} is not an IP address`);
  const timeFlag = stringFlag(flags, 'time');
  const now = timeFlag === undefined ? undefined : Date.parse(timeFlag);
  if (now !== undefined && Number.isNaN(now))
    throw usageError(
      'explain',
      `--time ${JSON.stringify(timeFlag)} is not an ISO 8601 time (2026-04-14T09:30:00Z)`,
    );

  // The route's rules: its impersonation rule first (it is part of the decision), then a rule per policy.
  const route: RouteRule[] = [];
  const routeFlags: RouteFlags = { policies: policyFiles };
  if (booleanFlag(flags, 'route-forbid')) {
    route.push(defineRouteRule({ impersonation: 'forbid' }));
    routeFlags.impersonation = 'forbid';
  }
  const grantsFile = stringFlag(flags, 'route-grants');
  if (grantsFile !== undefined) {
    const where = `the route grants file ${grantsFile} (--route-grants)`;
    const origins = new OptionOrigins({}, (option) =>
      option.startsWith('route.impersonation.grants')
        ? `${where}, at ${option.slice('route.impersonation.'.length)}`
        : where,
    );
    const grants = readRouteGrants(ctx, grantsFile);
    route.push(origins.check(() => defineRouteRule({ impersonation: { grants } })));
    routeFlags.impersonation = 'grants';
  }
  for (const file of policyFiles) route.push({ policy: readPolicy(ctx, file) });

  const loaded: LoadedOptions =
    configFile === undefined
      ? { options: {}, close: () => undefined }
      : await loadOptionsFile(ctx, configFile);
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
      ...(target !== undefined ? { target } : {}),
      groups: listFlag(flags, 'groups'),
      method,
      ...(path !== undefined ? { path } : {}),
      ...(ip !== undefined ? { ip } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(route.length > 0 ? { route } : {}),
      ...(now !== undefined ? { now } : {}),
    };
    const origins = new OptionOrigins({}, (option) =>
      configFile === undefined ? `option "${option}"` : `option "${option}" in ${configFile}`,
    );
    let answer: ExplainAnswer;
    try {
      answer = await origins.checkAsync(() => explainImpersonation(loaded.options, question));
    } catch (err) {
      // The directory failed while naming the initiator: what a request would get then.
      if (!isPomeriumAuthError(err)) throw err;
      return printFailure(ctx, booleanFlag(flags, 'json'), err);
    }
    if (booleanFlag(flags, 'json')) {
      const { route: _route, ...asked } = question;
      const rule = answer.allowed ? undefined : RULES[answer.reason as PomeriumAuthReason];
      const body = {
        question: { ...asked, ...(route.length > 0 ? { route: routeFlags } : {}) },
        answer,
        ...(rule !== undefined ? { rule } : {}),
      };
      ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      const groupsFrom =
        typeof initiator !== 'string'
          ? 'given'
          : answer.initiator.fromDirectory
            ? 'from the directory'
            : directoryNote(loaded.options);
      ctx.stdout.write(formatAnswer(question, answer, groupsFrom, routeFlags, configFile));
    }
    return answer.allowed ? EXIT_CODES.ok : EXIT_CODES.refused;
  } finally {
    loaded.close();
  }
}

function directoryNote(options: PomeriumAuthOptions): string {
  return options.directory === undefined ? 'none given' : 'not in the directory';
}

function printFailure(ctx: CommandContext, json: boolean, err: PomeriumAuthError): number {
  if (json) {
    const body = {
      error: err.error,
      status: err.status,
      reason: err.reason,
      detail: err.detail,
    };
    ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    ctx.stdout.write(
      `failed   ${err.error} (${err.status}): ${err.reason}${err.detail !== undefined ? ` — ${err.detail}` : ''}\n`,
    );
  }
  return EXIT_CODES.refused;
}

/** `GET /reports on a route that forbids impersonation`. */
function requestText(q: ExplainQuestion, route: RouteFlags): string {
  const onRoute =
    route.impersonation === 'forbid'
      ? ' on a route that forbids impersonation'
      : route.impersonation === 'grants'
        ? ' on a route with its own grants'
        : '';
  return `${q.method}${q.path !== undefined ? ` ${q.path}` : ''}${onRoute}`;
}

function formatAnswer(
  q: ExplainQuestion,
  a: ExplainAnswer,
  groupsFrom: string,
  route: RouteFlags,
  configFile: string | undefined,
): string {
  const who = a.initiator;
  const asked = q.target ?? `the groups ${(q.groups ?? []).join(',')}`;
  const impersonationAsked = q.target !== undefined || (q.groups?.length ?? 0) > 0;
  const on = requestText(q, route);
  const rows: Array<[string, string]> = [
    [
      'initiator',
      `${formatPrincipal(who)}${who.groups.length === 0 ? `  (no groups: ${groupsFrom})` : groupsFrom === 'from the directory' ? '  (groups from the directory)' : ''}`,
    ],
  ];
  if (q.groups && q.groups.length > 0) rows.push(['groups asked', q.groups.join(',')]);
  const reason = a.reason as PomeriumAuthReason | undefined;
  const byPolicy = reason === 'policy_denied';

  let headline: string;
  if (a.allowed) {
    if (a.impersonating) {
      headline = `allowed  ${who.id} may act as ${asked} (${on})`;
      rows.push(['decided by', `grant "${a.grant ?? '(unnamed)'}"`]);
    } else if (impersonationAsked) {
      headline = `allowed  ${who.id} asking for ${asked} is not impersonation (the same user)`;
    } else {
      headline = `allowed  ${who.id} may ${on}`;
    }
  } else if (!byPolicy) {
    headline = `denied   ${who.id} may not act as ${asked} (${on})`;
  } else if (a.impersonating) {
    headline = `denied   ${who.id} may act as ${asked}, but ${a.effectiveUser?.id ?? asked} may not ${on}`;
    rows.push(['grant', `"${a.grant ?? '(unnamed)'}"`]);
  } else {
    headline = `denied   ${who.id} may not ${on}`;
  }
  if (a.impersonating && a.effectiveUser)
    rows.push(['effective', formatPrincipal(a.effectiveUser)]);
  if (a.allowed && !a.impersonating && !impersonationAsked)
    rows.push([
      'decided by',
      a.policies.length === 0
        ? 'nothing: no target is named and no policy applies'
        : `${a.policies.length === 1 ? 'the policy' : 'the policies'} below`,
    ]);
  if (!a.allowed) {
    rows.push([
      'decided by',
      `rule ${reason ?? 'unknown'}: ${(reason && RULES[reason]) ?? 'refused'}${a.detail !== undefined ? ` — ${a.detail}` : ''}`,
    ]);
    const status = new PomeriumAuthError(
      a.error ?? 'impersonation_denied',
      reason ?? 'not_allowed',
    );
    rows.push(['client sees', `${status.status} ${JSON.stringify(status.toJSON())}`]);
  }
  if (configFile === undefined)
    rows.push(['note', 'no --config: no grants, no directory, no app-wide policy']);
  return `${headline}\n${labelled(rows, '  ')}${formatPolicies(a.policies, '  ')}`;
}

import { optionalBoolean, refuseUnknownKeys } from '../config/option-checks.js';
import { PomeriumAuthConfigError } from '../errors.js';
import type { ImpersonationOptions } from '../options.js';
import {
  compileGrants,
  compileProtectList,
  type CompiledGrant,
  type ProtectList,
} from './grants.js';

/** Default header names (Kubernetes-style); `sg_impersonate_as` works by setting `header`. */
export const DEFAULT_IMPERSONATION_HEADERS = {
  header: 'impersonate-user',
  groupsHeader: 'impersonate-group',
  reasonHeader: 'impersonate-reason',
} as const;

/** Impersonation options, checked and compiled once at construction. */
export interface ImpersonationRules {
  enabled: boolean;
  header?: string;
  groupsHeader?: string;
  reasonHeader?: string;
  /** The configured header names, for their removal once decided. */
  headerNames: string[];
  grants: CompiledGrant[];
  protect: ProtectList;
  requireReason: boolean;
  fromTokenClaims: boolean;
  fromActClaim: boolean;
  canImpersonate?: ImpersonationOptions['canImpersonate'];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The keys of the `impersonation` option: any other is a misspelling, refused like one at the top. */
const IMPERSONATION_KEYS: ReadonlySet<string> = new Set([
  'header',
  'groupsHeader',
  'reasonHeader',
  'grants',
  'protect',
  'requireReason',
  'fromTokenClaims',
  'fromActClaim',
  'canImpersonate',
]);

function headerOption(value: unknown, fallback: string, option: string): string | undefined {
  if (value === false) return undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !HEADER_NAME.test(value))
    throw new PomeriumAuthConfigError(option, 'must be an HTTP header name or false');
  return value.toLowerCase();
}

/**
 * Reads the `impersonation` option. `false` disables impersonation: every request for it is
 * refused (never silently ignored).
 */
export function compileImpersonationRules(
  options: ImpersonationOptions | false | undefined,
): ImpersonationRules {
  const opt = options === false ? {} : (options ?? {});
  if (opt === null || typeof opt !== 'object' || Array.isArray(opt))
    throw new PomeriumAuthConfigError('impersonation', 'must be an object or false');
  refuseUnknownKeys(opt, IMPERSONATION_KEYS, 'impersonation');
  if (opt.canImpersonate !== undefined && typeof opt.canImpersonate !== 'function')
    throw new PomeriumAuthConfigError('impersonation.canImpersonate', 'must be a function');
  const rules: ImpersonationRules = {
    enabled: options !== false,
    headerNames: [],
    grants: compileGrants(opt.grants, 'impersonation.grants'),
    protect: compileProtectList(opt.protect, 'impersonation.protect'),
    requireReason: optionalBoolean(opt.requireReason, 'impersonation.requireReason') ?? false,
    fromTokenClaims: optionalBoolean(opt.fromTokenClaims, 'impersonation.fromTokenClaims') ?? true,
    fromActClaim: optionalBoolean(opt.fromActClaim, 'impersonation.fromActClaim') ?? true,
  };
  const header = headerOption(
    opt.header,
    DEFAULT_IMPERSONATION_HEADERS.header,
    'impersonation.header',
  );
  const groupsHeader = headerOption(
    opt.groupsHeader,
    DEFAULT_IMPERSONATION_HEADERS.groupsHeader,
    'impersonation.groupsHeader',
  );
  const reasonHeader = headerOption(
    opt.reasonHeader,
    DEFAULT_IMPERSONATION_HEADERS.reasonHeader,
    'impersonation.reasonHeader',
  );
  if (header !== undefined) rules.header = header;
  if (groupsHeader !== undefined) rules.groupsHeader = groupsHeader;
  if (reasonHeader !== undefined) rules.reasonHeader = reasonHeader;
  rules.headerNames = [header, groupsHeader, reasonHeader].filter(
    (n): n is string => n !== undefined,
  );
  if (opt.canImpersonate) rules.canImpersonate = opt.canImpersonate;
  if (rules.requireReason && rules.reasonHeader === undefined)
    throw new PomeriumAuthConfigError('impersonation.requireReason', 'needs a reasonHeader');
  return rules;
}

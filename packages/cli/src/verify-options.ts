import {
  ENVIRONMENT_VARIABLES,
  optionsFromEnvironment,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { usageError } from './cli-error.js';
import type { CommandContext } from './cli-io.js';
import { cookieNameFlag } from './credential-schemes.js';
import { publicJwksOfFile } from './key-files.js';
import { OptionOrigins } from './option-origins.js';
import { booleanFlag, listFlag, stringFlag, type ParsedFlags } from './parse-flags.js';

/** The flag of `verify` that sets each option, for core's messages that name another option. */
const FLAGS: Readonly<Record<string, string>> = {
  sharedSecret: '--shared-secret',
  sharedSecretEncoding: '--legacy-raw',
  jwksUrl: '--jwks-url',
  publicKeys: '--public-key',
  deriveAssertionKey: '--derive-assertion-key',
  issuer: '--issuer',
  audience: '--audience',
  clockTolerance: '--clock-tolerance',
  sources: '--source',
  cookieName: '--cookie-name',
  assertionFor: '--assertion-for',
  claimHeaders: '--claim-headers',
};

/** What messages call the value of each option, before saying where it came from. */
const NOUNS: Readonly<Record<string, string>> = {
  sharedSecret: 'the shared secret',
  jwksUrl: 'the JWKS URL',
  issuer: 'the issuer',
  audience: 'the audience',
  clockTolerance: 'the clock tolerance',
  sources: 'the sources',
  cookieName: 'the cookie name',
  claimHeaders: 'the claim headers mode',
  deriveAssertionKey: 'the derived assertion key',
  assertionFor: 'the assertion-for header',
};

/** pomerium-cli's variable for the shared secret, read when `POMERIUM_SHARED_SECRET` is not set. */
const SHARED_KEY_VARIABLE = 'POMERIUM_SHARED_KEY';

/** The options `verify` hands to core, and where each came from. */
export interface VerifyOptions {
  options: PomeriumAuthOptions;
  origins: OptionOrigins;
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw usageError('verify', '--clock-tolerance must be a number of seconds');
  return n;
}

/**
 * The options an application would pass to `createPomeriumAuth`, from the flags, else the
 * `--config` file's options, else the `POMERIUM_*` variables (of the file's `env`, when it sets
 * one). The CLI reads the variables itself, so that it knows which of them a bad value came from.
 */
export function verifyOptions(
  ctx: CommandContext,
  flags: ParsedFlags,
  file: { options: PomeriumAuthOptions; file?: string | undefined },
): VerifyOptions {
  const fromFile = file.options;
  const origins = new OptionOrigins(FLAGS, (option) => {
    const root = /^[A-Za-z]+/.exec(option)?.[0] ?? option;
    if (file.file !== undefined && Object.hasOwn(fromFile, root))
      return `option "${option}" in ${file.file}`;
    return FLAGS[root] ?? `option "${option}"`;
  });
  const options: PomeriumAuthOptions = { ...fromFile };
  const given = (key: keyof PomeriumAuthOptions, value: unknown, flag: string): void => {
    if (value === undefined) return;
    (options as Record<string, unknown>)[key] = value;
    origins.set(key, NOUNS[key] ? `${NOUNS[key]} (${flag})` : flag);
  };

  given('sharedSecret', stringFlag(flags, 'shared-secret'), '--shared-secret');
  if (booleanFlag(flags, 'legacy-raw')) given('sharedSecretEncoding', 'legacy-raw', '--legacy-raw');
  given('jwksUrl', stringFlag(flags, 'jwks-url'), '--jwks-url');
  const keyFiles = listFlag(flags, 'public-key');
  if (keyFiles.length > 0) {
    const keys = [...(options.publicKeys ?? [])];
    for (const keyFile of keyFiles) {
      for (const jwk of publicJwksOfFile(ctx, keyFile)) {
        origins.set(`publicKeys[${keys.length}]`, `the key file ${keyFile} (--public-key)`);
        keys.push(jwk);
      }
    }
    options.publicKeys = keys;
  }
  if (booleanFlag(flags, 'derive-assertion-key'))
    given('deriveAssertionKey', true, '--derive-assertion-key');
  const issuers = listFlag(flags, 'issuer');
  if (issuers.length > 0) given('issuer', issuers, '--issuer');
  const audiences = listFlag(flags, 'audience');
  if (audiences.length > 0) given('audience', audiences, '--audience');
  given('clockTolerance', seconds(stringFlag(flags, 'clock-tolerance')), '--clock-tolerance');
  const sources = listFlag(flags, 'source');
  if (sources.length > 0) given('sources', sources, '--source');
  given('cookieName', cookieNameFlag('verify', stringFlag(flags, 'cookie-name')), '--cookie-name');
  if (booleanFlag(flags, 'assertion-for')) given('assertionFor', true, '--assertion-for');
  const claimHeaders = stringFlag(flags, 'claim-headers');
  if (claimHeaders !== undefined && !['verify', 'strip', 'ignore'].includes(claimHeaders))
    throw usageError('verify', '--claim-headers must be verify, strip or ignore');
  if (claimHeaders !== undefined) {
    // A mode given on the command line keeps the header names of the options file.
    const inFile = fromFile.claimHeaders;
    given(
      'claimHeaders',
      typeof inFile === 'object' && inFile !== null && claimHeaders !== 'ignore'
        ? { ...inFile, mode: claimHeaders as 'verify' | 'strip' }
        : claimHeaders,
      '--claim-headers',
    );
  }

  // The environment comes last. Core is then told to leave it alone, so it never names a
  // variable in its own words.
  const env = fromFile.env === false ? {} : (fromFile.env ?? ctx.env);
  const fromEnv = optionsFromEnvironment(env);
  for (const key of Object.keys(ENVIRONMENT_VARIABLES) as Array<
    keyof typeof ENVIRONMENT_VARIABLES
  >) {
    if (options[key] === undefined && fromEnv[key] !== undefined) {
      (options as Record<string, unknown>)[key] = fromEnv[key];
      origins.set(key, `${NOUNS[key]} (${ENVIRONMENT_VARIABLES[key]})`);
    }
  }
  const sharedKey = env[SHARED_KEY_VARIABLE]?.trim();
  if (options.sharedSecret === undefined && sharedKey) {
    options.sharedSecret = sharedKey;
    origins.set('sharedSecret', `${NOUNS.sharedSecret} (${SHARED_KEY_VARIABLE})`);
  }
  options.env = false;

  const noKeys =
    options.sharedSecret === undefined &&
    options.jwksUrl === undefined &&
    (options.publicKeys === undefined ||
      (Array.isArray(options.publicKeys) && options.publicKeys.length === 0)) &&
    !options.deriveAssertionKey;
  if (noKeys)
    throw usageError(
      'verify',
      'nothing to verify with: give the shared secret (--shared-secret, POMERIUM_SHARED_SECRET or POMERIUM_SHARED_KEY) for service-account tokens, and/or assertion keys (--jwks-url or POMERIUM_JWKS_URL, --public-key, --derive-assertion-key), or a --config file that sets them',
    );
  return { options, origins };
}

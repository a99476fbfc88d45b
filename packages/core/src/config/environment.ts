import type { PomeriumAuthOptions } from '../options.js';

/** The environment variables the suite reads (twelve-factor configuration). */
export const ENVIRONMENT_VARIABLES = {
  jwksUrl: 'POMERIUM_JWKS_URL',
  issuer: 'POMERIUM_ISSUER',
  audience: 'POMERIUM_AUDIENCE',
  sharedSecret: 'POMERIUM_SHARED_SECRET',
} as const;

function list(value: string, separator: RegExp = /,/): string | string[] {
  const parts = value
    .split(separator)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length === 1 ? parts[0]! : parts;
}

/**
 * Options read from `POMERIUM_JWKS_URL` (URLs separated by commas or whitespace),
 * `POMERIUM_ISSUER`, `POMERIUM_AUDIENCE` and `POMERIUM_SHARED_SECRET` (each a comma-separated
 * list). Options given in code win over the environment.
 *
 * @param env - the variables to read, usually `process.env`.
 * @returns only the options whose variable is set and not blank.
 *
 * @example
 * ```ts
 * optionsFromEnvironment({ POMERIUM_AUDIENCE: 'app.example.com' }); // { audience: 'app.example.com' }
 * ```
 */
export function optionsFromEnvironment(
  env: Record<string, string | undefined>,
): Partial<PomeriumAuthOptions> {
  const out: Partial<PomeriumAuthOptions> = {};
  const jwksUrl = env[ENVIRONMENT_VARIABLES.jwksUrl]?.trim();
  const issuer = env[ENVIRONMENT_VARIABLES.issuer]?.trim();
  const audience = env[ENVIRONMENT_VARIABLES.audience]?.trim();
  const sharedSecret = env[ENVIRONMENT_VARIABLES.sharedSecret]?.trim();
  // A URL holds neither commas nor whitespace unescaped: both can separate several.
  if (jwksUrl) out.jwksUrl = list(jwksUrl, /[\s,]+/);
  if (issuer) out.issuer = list(issuer);
  if (audience) out.audience = list(audience);
  // A comma never appears in base64: several secrets (a rotation) are separated by commas.
  if (sharedSecret) out.sharedSecret = list(sharedSecret);
  return out;
}

/**
 * How an option is named in errors: with its variable when it came from the environment, and
 * with the position of the entry at fault when it is a list (`jwksUrl[1] (POMERIUM_JWKS_URL)`).
 */
export function optionLabel(
  name: keyof typeof ENVIRONMENT_VARIABLES,
  fromEnvironment: boolean,
  index?: number,
): string {
  const option = index === undefined ? name : `${name}[${index}]`;
  return fromEnvironment ? `${option} (${ENVIRONMENT_VARIABLES[name]})` : option;
}

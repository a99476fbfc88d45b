import type { KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSigningKey } from '@pomerium-auth/testing';
import { CliError, EXIT_CODES, usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { KEYGEN_HELP } from '../help-text.js';
import { publishedJwk } from '../key-files.js';
import { booleanFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { derivedKeyOfFlags } from '../shared-secret-input.js';

const SPECS: FlagSpecs = {
  alg: { type: 'string' },
  kid: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  'derive-from-shared-secret': { type: 'boolean' },
  'legacy-raw': { type: 'boolean' },
};

/** File names written by `keygen --out`. */
export const KEYGEN_FILES = Object.freeze({ privateKey: 'signing-key.pem', jwks: 'jwks.json' });

/**
 * `pomerium-auth keygen`: a signing key pair as Pomerium uses (EC P-256 for ES256, RSA 2048 for
 * RS256): the private key as PKCS#8 PEM and the public key as a JWK named by its thumbprint.
 * With `--derive-from-shared-secret`, the pair is the one Pomerium derives from its shared secret
 * when it has no `signing_key` (the secret read as for `mint`), instead of a new one.
 */
export async function runKeygen(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('keygen', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(KEYGEN_HELP);
    return 0;
  }
  const derive = booleanFlag(flags, 'derive-from-shared-secret');
  if (flags.positionals.length > (derive ? 1 : 0))
    throw usageError(
      'keygen',
      `unexpected arguments: ${flags.positionals.slice(derive ? 1 : 0).join(' ')}`,
    );
  if (!derive && booleanFlag(flags, 'legacy-raw'))
    throw usageError(
      'keygen',
      '--legacy-raw reads the shared secret of --derive-from-shared-secret',
    );
  const alg = (stringFlag(flags, 'alg') ?? 'ES256').toUpperCase();
  if (alg !== 'ES256' && alg !== 'RS256')
    throw usageError('keygen', '--alg must be ES256 or RS256');
  let key: { alg: 'ES256' | 'RS256'; kid: string; privateKey: KeyObject; publicKey: KeyObject };
  if (derive) {
    if (alg !== 'ES256')
      throw usageError('keygen', 'the key derived from the shared secret is ES256 (P-256)');
    if (stringFlag(flags, 'kid') !== undefined)
      throw usageError(
        'keygen',
        'the derived key is named by its thumbprint, as Pomerium names it: --kid does not apply',
      );
    key = await derivedKeyOfFlags(ctx, 'keygen', flags);
  } else {
    key = await generateSigningKey(alg, stringFlag(flags, 'kid'));
  }
  const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const jwk = publishedJwk(key.publicKey, key.alg, key.kid);
  const out = stringFlag(flags, 'out');
  if (out === undefined) {
    ctx.stdout.write(`${pem.trimEnd()}\n${JSON.stringify(jwk, null, 2)}\n`);
    return 0;
  }
  const dir = resolve(ctx.cwd, out);
  const flag = booleanFlag(flags, 'force') ? 'w' : 'wx';
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, KEYGEN_FILES.privateKey), pem, { mode: 0o600, flag });
    writeFileSync(join(dir, KEYGEN_FILES.jwks), `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, {
      flag,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'EEXIST'
        ? `${out} already holds a key; pass --force to overwrite it`
        : `cannot write to ${out}: ${code ?? (err as Error).message}`,
      EXIT_CODES.usage,
    );
  }
  ctx.stdout.write(
    `${key.alg} key ${key.kid}\n` +
      `  private key  ${join(out, KEYGEN_FILES.privateKey)}  (Pomerium's signing_key is this file, base64-encoded)\n` +
      `  key set      ${join(out, KEYGEN_FILES.jwks)}\n`,
  );
  return 0;
}

import { createTestIssuer, importSigningKey, type TestSigningKey } from '@pomerium-auth/testing';
import { usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { parseGoDuration } from '../go-duration.js';
import { ASSERTION_SCHEMES, tokenPrinter } from '../credential-schemes.js';
import { MINT_ASSERTION_HELP } from '../help-text.js';
import { readSigningKey } from '../key-files.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { derivedKeyOfFlags } from '../shared-secret-input.js';

const SPECS: FlagSpecs = {
  key: { type: 'string' },
  'derive-from-shared-secret': { type: 'boolean' },
  'legacy-raw': { type: 'boolean' },
  aud: { type: 'string' },
  iss: { type: 'string' },
  sub: { type: 'string' },
  email: { type: 'string' },
  name: { type: 'string' },
  groups: { type: 'string', multiple: true, list: true },
  expiry: { type: 'string' },
  kid: { type: 'string' },
  // How the assertion is printed: bare, or as the header line that carries it.
  scheme: { type: 'string' },
};

/**
 * `pomerium-auth mint assertion`: an `X-Pomerium-Jwt-Assertion` with Pomerium's claim set,
 * signed with a key file or with the key Pomerium derives from its shared secret.
 */
export async function runMintAssertion(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('mint assertion', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(MINT_ASSERTION_HELP);
    return 0;
  }
  const keyFile = stringFlag(flags, 'key');
  const derive = booleanFlag(flags, 'derive-from-shared-secret');
  if ((keyFile === undefined) === !derive)
    throw usageError(
      'mint assertion',
      'give exactly one of --key <file> and --derive-from-shared-secret',
    );
  if (!derive && flags.positionals.length > 0)
    throw usageError('mint assertion', `unexpected arguments: ${flags.positionals.join(' ')}`);
  if (derive && flags.positionals.length > 1)
    throw usageError(
      'mint assertion',
      `unexpected arguments: ${flags.positionals.slice(1).join(' ')}`,
    );
  const print = tokenPrinter('mint assertion', flags, ASSERTION_SCHEMES);
  const aud = stringFlag(flags, 'aud');
  if (!aud)
    throw usageError('mint assertion', "--aud <route host> is required (the assertion's audience)");
  const sub = stringFlag(flags, 'sub');
  if (!sub) throw usageError('mint assertion', '--sub <user id> is required');
  let lifetime = 300;
  const expiry = stringFlag(flags, 'expiry');
  if (expiry !== undefined) {
    try {
      lifetime = Math.floor(parseGoDuration(expiry));
    } catch (err) {
      throw usageError('mint assertion', `--expiry: ${(err as Error).message}`);
    }
  }

  let key: TestSigningKey;
  if (derive) {
    // The key Pomerium signs with when it has no signing_key, named as Pomerium names it.
    const derived = await derivedKeyOfFlags(ctx, 'mint assertion', flags);
    key = await importSigningKey(
      derived.privateKey,
      'ES256',
      stringFlag(flags, 'kid') ?? derived.kid,
    );
  } else {
    key = await readSigningKey(ctx, keyFile!);
    const kid = stringFlag(flags, 'kid');
    if (kid !== undefined) key = await importSigningKey(key.privateKey, key.alg, kid);
  }
  const issuer = await createTestIssuer({ keys: [key], host: aud });
  const email = stringFlag(flags, 'email');
  const name = stringFlag(flags, 'name');
  const token = issuer.mintAssertion(
    {
      iss: stringFlag(flags, 'iss') ?? aud,
      aud,
      sub,
      // Left out when not given (undefined drops a claim), rather than the kit's test user.
      email,
      name,
      groups: listFlag(flags, 'groups'),
    },
    { lifetime },
  );
  await issuer.close();
  ctx.stdout.write(print(token));
  return 0;
}

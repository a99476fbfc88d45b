import { signLegacyServiceAccountToken, signServiceAccountToken } from '@pomerium-auth/testing';
import { usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { parseGoDuration } from '../go-duration.js';
import { SERVICE_ACCOUNT_TOKEN_SCHEMES, tokenPrinter } from '../credential-schemes.js';
import { MINT_HELP } from '../help-text.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpecs } from '../parse-flags.js';
import { readSharedSecret } from '../read-input.js';
import { checkSharedSecret } from '../shared-secret-input.js';
import { runMintAssertion } from './mint-assertion.js';

const SPECS: FlagSpecs = {
  // The historic pomerium-cli flags.
  aud: { type: 'string', multiple: true, list: true },
  email: { type: 'string' },
  expiry: { type: 'string' },
  groups: { type: 'string', multiple: true, list: true },
  'impersonate-email': { type: 'string' },
  'impersonate-groups': { type: 'string', multiple: true, list: true },
  iss: { type: 'string' },
  sub: { type: 'string' },
  user: { type: 'string' },
  // Today's format, and the key encoding of Pomerium v0.8 to v0.13.
  id: { type: 'string' },
  'legacy-raw': { type: 'boolean' },
  // How the token is printed: bare, or as the header line (or cookie) a request carries it in.
  scheme: { type: 'string' },
  'cookie-name': { type: 'string' },
};

const HISTORIC_ONLY = ['aud', 'email', 'groups', 'impersonate-email', 'impersonate-groups', 'iss'];

function expirySeconds(command: string, text: string): number {
  let seconds: number;
  try {
    seconds = parseGoDuration(text);
  } catch (err) {
    throw usageError(command, `-expiry: ${(err as Error).message}`);
  }
  if (seconds < 0) throw usageError(command, '-expiry must not be negative');
  return Math.floor(seconds);
}

/**
 * `pomerium-auth mint`: a service-account token signed with the shared secret, in the historic
 * `pomerium-cli` format (default) or today's (`--id`). `mint assertion` mints an identity
 * assertion instead.
 */
export async function runMint(ctx: CommandContext, argv: string[]): Promise<number> {
  if (argv[0] === 'assertion') return runMintAssertion(ctx, argv.slice(1));
  const flags = parseFlags('mint', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(MINT_HELP);
    return 0;
  }
  if (flags.positionals.length > 1)
    throw usageError('mint', `unexpected arguments: ${flags.positionals.slice(1).join(' ')}`);
  const encoding = booleanFlag(flags, 'legacy-raw') ? 'legacy-raw' : 'base64';
  const print = tokenPrinter('mint', flags, SERVICE_ACCOUNT_TOKEN_SCHEMES);
  const id = stringFlag(flags, 'id');
  const expiry = stringFlag(flags, 'expiry');
  if (id !== undefined) {
    const historic = HISTORIC_ONLY.filter((name) => flags.values[name] !== undefined);
    if (historic.length > 0)
      throw usageError(
        'mint',
        `--id mints today's format, which has no ${historic.map((n) => `-${n}`).join(', ')}`,
      );
    const sub = stringFlag(flags, 'sub');
    const user = stringFlag(flags, 'user');
    if (sub !== undefined && user !== undefined && sub !== user)
      throw usageError(
        'mint',
        "--sub and --user name the same user id in today's format; give one",
      );
    const userId = sub ?? user;
    if (!id) throw usageError('mint', '--id must not be empty');
    if (!userId)
      throw usageError('mint', "today's format needs the user id: --sub <user id> (or --user)");
    const expiresIn = expiry === undefined ? undefined : expirySeconds('mint', expiry);
    // Validate before reading the secret from a prompt, so mistakes show at once.
    const input = await readSharedSecret(ctx, 'mint', flags.positionals[0]);
    const key = checkSharedSecret(input, encoding);
    const now = Math.floor(Date.now() / 1000);
    const token = signServiceAccountToken(key, {
      id,
      userId,
      issuedAt: now,
      ...(expiresIn !== undefined ? { expiresAt: now + expiresIn } : {}),
    });
    ctx.stdout.write(print(token));
    return 0;
  }
  const expirySecs = expirySeconds('mint', expiry ?? '1h0m0s');
  const input = await readSharedSecret(ctx, 'mint', flags.positionals[0]);
  checkSharedSecret(input, encoding);
  const list = (name: string): string[] | undefined =>
    flags.values[name] === undefined ? undefined : listFlag(flags, name);
  const options = {
    iss: stringFlag(flags, 'iss'),
    aud: list('aud'),
    sub: stringFlag(flags, 'sub'),
    user: stringFlag(flags, 'user'),
    email: stringFlag(flags, 'email'),
    groups: list('groups'),
    impersonate_email: stringFlag(flags, 'impersonate-email'),
    impersonate_groups: list('impersonate-groups'),
    expiry: expirySecs,
    encoding,
  } as const;
  // pomerium-cli's claims were `omitempty`: an empty flag leaves the claim out.
  const defined = Object.fromEntries(
    Object.entries(options).filter(
      ([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0),
    ),
  );
  ctx.stdout.write(print(signLegacyServiceAccountToken(input.secret, defined)));
  return 0;
}

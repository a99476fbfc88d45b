import { usageError } from '../cli-error.js';
import type { CommandContext } from '../cli-io.js';
import { JWKS_HELP } from '../help-text.js';
import { publicJwksOfFile, type PublishedJwk } from '../key-files.js';
import { booleanFlag, parseFlags, type FlagSpecs } from '../parse-flags.js';
import { derivedKeyOfFlags } from '../shared-secret-input.js';

const SPECS: FlagSpecs = {
  'derive-from-shared-secret': { type: 'boolean' },
  'legacy-raw': { type: 'boolean' },
  compact: { type: 'boolean' },
};

/**
 * `pomerium-auth jwks`: the public key set of key files, or (`--derive-from-shared-secret`) the
 * one Pomerium publishes for the key it derives from its shared secret.
 */
export async function runJwks(ctx: CommandContext, argv: string[]): Promise<number> {
  const flags = parseFlags('jwks', argv, SPECS);
  if (flags.help) {
    ctx.stdout.write(JWKS_HELP);
    return 0;
  }
  const keys: PublishedJwk[] = [];
  if (booleanFlag(flags, 'derive-from-shared-secret')) {
    if (flags.positionals.length > 1)
      throw usageError('jwks', `unexpected arguments: ${flags.positionals.slice(1).join(' ')}`);
    keys.push((await derivedKeyOfFlags(ctx, 'jwks', flags)).publicJwk);
  } else {
    if (flags.positionals.length === 0)
      throw usageError('jwks', 'name one or more key files, or use --derive-from-shared-secret');
    for (const file of flags.positionals) keys.push(...publicJwksOfFile(ctx, file));
  }
  ctx.stdout.write(
    `${JSON.stringify({ keys }, null, booleanFlag(flags, 'compact') ? undefined : 2)}\n`,
  );
  return 0;
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT_CODES, usageError } from './cli-error.js';
import type { CommandContext } from './cli-io.js';

/** Secrets and tokens are small; anything larger on standard input is a mistake. */
const MAX_INPUT_BYTES = 1024 * 1024;

/** Reads standard input to its end (a pipe or a file), trimmed. */
export async function readStdin(ctx: CommandContext): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_INPUT_BYTES)
      throw new CliError('standard input is larger than 1 MiB', EXIT_CODES.usage);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Asks on the terminal without echoing what is typed (for secrets). */
export function promptHidden(ctx: CommandContext, question: string): Promise<string> {
  const stdin = ctx.stdin;
  if (typeof stdin.setRawMode !== 'function') return readStdin(ctx);
  ctx.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.setRawMode!(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      ctx.stderr.write('\n');
    };
    function onData(chunk: string | Buffer): void {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value.trim());
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new CliError('cancelled', EXIT_CODES.cancelled));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    }
    stdin.on('data', onData);
  });
}

/** Names the secret's origin in messages, never its value. */
export interface SharedSecretInput {
  secret: string;
  from: 'argument' | 'POMERIUM_SHARED_KEY' | 'POMERIUM_SHARED_SECRET' | 'standard input';
}

/**
 * The shared secret, as `pomerium-cli` found it: the positional argument (`-` for standard
 * input), else `POMERIUM_SHARED_KEY` or `POMERIUM_SHARED_SECRET`, else standard input: a
 * prompt without echo on a terminal, the whole of a pipe otherwise.
 */
export async function readSharedSecret(
  ctx: CommandContext,
  command: string,
  positional: string | undefined,
): Promise<SharedSecretInput> {
  let input: SharedSecretInput | undefined;
  if (positional !== undefined && positional !== '-')
    input = { secret: positional.trim(), from: 'argument' };
  else if (positional === undefined && ctx.env.POMERIUM_SHARED_KEY?.trim())
    input = { secret: ctx.env.POMERIUM_SHARED_KEY.trim(), from: 'POMERIUM_SHARED_KEY' };
  else if (positional === undefined && ctx.env.POMERIUM_SHARED_SECRET?.trim())
    input = { secret: ctx.env.POMERIUM_SHARED_SECRET.trim(), from: 'POMERIUM_SHARED_SECRET' };
  else {
    const secret = ctx.stdin.isTTY
      ? await promptHidden(ctx, 'Shared secret (base64, not echoed): ')
      : await readStdin(ctx);
    input = { secret, from: 'standard input' };
  }
  if (!input.secret) {
    throw usageError(
      command,
      'no shared secret: pass it as an argument, set POMERIUM_SHARED_KEY or POMERIUM_SHARED_SECRET, or pipe it on standard input',
    );
  }
  return input;
}

/** A token from the positional argument, or standard input when it is `-` or absent (not on a terminal). */
export async function readToken(
  ctx: CommandContext,
  command: string,
  positional: string | undefined,
): Promise<string> {
  if (positional !== undefined && positional !== '-') return positional.trim();
  if (ctx.stdin.isTTY && positional === undefined)
    throw usageError(command, 'no token: pass it as an argument or pipe it on standard input');
  const token = await readStdin(ctx);
  if (!token) throw usageError(command, 'no token on standard input');
  return token;
}

/** A file named on the command line (relative to the working directory), as text; `what` names it in errors. */
export function readNamedFile(ctx: CommandContext, file: string, what: string): string {
  try {
    return readFileSync(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      EXIT_CODES.usage,
    );
  }
}

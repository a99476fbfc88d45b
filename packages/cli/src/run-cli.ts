import { PomeriumAuthConfigError } from '@pomerium-auth/core';
import { CliError, EXIT_CODES } from './cli-error.js';
import { commandContext, type CliIo, type CommandContext } from './cli-io.js';
import { runExplain } from './commands/explain.js';
import { runJwks } from './commands/jwks.js';
import { runKeygen } from './commands/keygen.js';
import { runMint } from './commands/mint.js';
import { runVerify } from './commands/verify.js';
import { MAIN_HELP } from './help-text.js';

const COMMANDS: Record<string, (ctx: CommandContext, argv: string[]) => Promise<number>> = {
  mint: runMint,
  verify: runVerify,
  keygen: runKeygen,
  jwks: runJwks,
  explain: runExplain,
};

/**
 * Runs the `pomerium-auth` command line and resolves to its exit code: `0` done, valid or
 * allowed; `1` invalid or refused; `2` a usage or configuration error. It never calls
 * `process.exit` and never rejects, so tests can run it in-process with their own streams.
 *
 * @param argv The arguments after the program name (`process.argv.slice(2)`).
 * @param io Streams, environment and working directory; the process's own by default.
 *
 * @example
 * ```ts
 * import { runCli } from '@pomerium-auth/cli';
 *
 * let out = '';
 * const code = await runCli(['mint', '--id', 'sa-1', '--sub', 'user-1', secret], { stdout: { write: (s) => (out += s) } });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const ctx = commandContext(io);
  const [command, ...rest] = argv;
  try {
    if (
      command === undefined ||
      command === 'help' ||
      command === '-h' ||
      command === '-help' ||
      command === '--help'
    ) {
      if (command === 'help' && rest[0] !== undefined && COMMANDS[rest[0]])
        return await COMMANDS[rest[0]]!(ctx, ['--help']);
      ctx[command === undefined ? 'stderr' : 'stdout'].write(MAIN_HELP);
      return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
    }
    if (command === '--version' || command === '-version' || command === 'version') {
      ctx.stdout.write(`${VERSION}\n`);
      return EXIT_CODES.ok;
    }
    const run = COMMANDS[command];
    if (!run)
      throw new CliError(
        `unknown command ${JSON.stringify(command)}`,
        EXIT_CODES.usage,
        'run "pomerium-auth --help" for the commands',
      );
    return await run(ctx, rest);
  } catch (err) {
    if (err instanceof CliError) {
      ctx.stderr.write(
        `pomerium-auth: ${err.message}\n${err.hint !== undefined ? `${err.hint}\n` : ''}`,
      );
      return err.exitCode;
    }
    if (err instanceof PomeriumAuthConfigError) {
      ctx.stderr.write(`${err.message}\n`);
      return EXIT_CODES.usage;
    }
    ctx.stderr.write(`pomerium-auth: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_CODES.refused;
  }
}

/** The package version, printed by `pomerium-auth --version`. */
const VERSION = '0.1.0';

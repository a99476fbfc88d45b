/**
 * The exit codes of `pomerium-auth`: `0` valid / allowed / done, `1` invalid token or refused
 * impersonation (the answer was "no"), `2` a usage or configuration error (no answer could be
 * given), `130` cancelled at a prompt.
 *
 * @example
 * ```ts
 * import { EXIT_CODES, runCli } from '@pomerium-auth/cli';
 * if ((await runCli(['verify', token])) === EXIT_CODES.refused) console.log('token refused');
 * ```
 */
export const EXIT_CODES = Object.freeze({ ok: 0, refused: 1, usage: 2, cancelled: 130 } as const);

/** A failure the command reports in one line on stderr, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  /** A second line, e.g. "see pomerium-auth mint --help". */
  readonly hint: string | undefined;
  constructor(message: string, exitCode: number = EXIT_CODES.usage, hint?: string) {
    super(message);
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A bad command line: exit code 2 and a pointer to the command's help. */
export function usageError(command: string, message: string): CliError {
  return new CliError(
    message,
    EXIT_CODES.usage,
    `run "pomerium-auth ${command} --help" for usage`.replace('  ', ' '),
  );
}

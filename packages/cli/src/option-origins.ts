import { PomeriumAuthConfigError } from '@pomerium-auth/core';
import { CliError, EXIT_CODES } from './cli-error.js';

/** What is wrong, without the option's name (core's `problem`): the CLI says where the value came from instead. */
export function configProblem(err: PomeriumAuthConfigError): string {
  return err.problem;
}

/** `sharedSecret[1]` → `sharedSecret`, `[1]`; `claimHeaders.mode` → `claimHeaders`, `.mode`. */
function parentOf(option: string): string | undefined {
  const cut = Math.max(option.lastIndexOf('.'), option.lastIndexOf('['));
  return cut > 0 ? option.slice(0, cut) : undefined;
}

/**
 * Where each of the core's options came from on this command line (a flag, an environment
 * variable, an argument, a file), so that a {@link PomeriumAuthConfigError} about
 * `sharedSecret` reads "the shared secret (--shared-secret)" and never names an option the
 * user did not write.
 */
export class OptionOrigins {
  readonly #where = new Map<string, string>();
  readonly #flags: ReadonlyMap<string, string>;
  readonly #flagPattern: RegExp | undefined;
  readonly #otherwise: (option: string) => string;

  /**
   * @param flags - the command's flag for each option it sets, used where core's message names
   *   another option (`'bearer-assertion' needs jwksUrl` → `needs --jwks-url`).
   * @param otherwise - how to name an option no origin was recorded for (one from an options
   *   file, say).
   */
  constructor(
    flags: Readonly<Record<string, string>> = {},
    otherwise: (option: string) => string = (option) => `option "${option}"`,
  ) {
    this.#flags = new Map(Object.entries(flags));
    const names = Object.keys(flags);
    this.#flagPattern =
      names.length > 0
        ? new RegExp(`(?<![\\w".-])(?:${names.join('|')})(?![\\w"-])`, 'g')
        : undefined;
    this.#otherwise = otherwise;
  }

  /** Records that `option` (or one entry of it: `publicKeys[2]`) was taken from `where`. */
  set(option: string, where: string): void {
    this.#where.set(option, where);
  }

  /** How this command line names `option`: its recorded origin, or the fallback. */
  name(option: string): string {
    for (let at: string | undefined = option; at !== undefined; at = parentOf(at)) {
      const where = this.#where.get(at);
      if (where === undefined) continue;
      const rest = option.slice(at.length);
      const index = /^\[(\d+)\]$/.exec(rest);
      if (rest === '') return where;
      return index
        ? `${where}, value ${Number(index[1]) + 1}`
        : `${where}, at ${rest.replace(/^\./, '')}`;
    }
    return this.#otherwise(option);
  }

  /** Core's text with the options it names replaced by this command's flags. */
  inFlags(text: string): string {
    return this.#flagPattern ? text.replace(this.#flagPattern, (n) => this.#flags.get(n)!) : text;
  }

  /** A usage error (exit 2) saying what is wrong, where the user put it. */
  error(err: PomeriumAuthConfigError): CliError {
    return new CliError(
      `${this.name(err.option)}: ${this.inFlags(configProblem(err))}`,
      EXIT_CODES.usage,
    );
  }

  /** Runs `fn`, turning a configuration error into the user's words. */
  check<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.#translated(err);
    }
  }

  /** {@link OptionOrigins.check} for asynchronous work. */
  async checkAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#translated(err);
    }
  }

  #translated(err: unknown): unknown {
    return err instanceof PomeriumAuthConfigError ? this.error(err) : err;
  }
}

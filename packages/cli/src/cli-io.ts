/** Where the command reads and writes. `runCli` uses the process's own streams by default. */
export interface CliIo {
  /** Results: tokens, keys, decisions. */
  stdout?: { write(text: string): unknown };
  /** Errors, warnings and prompts. */
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  /** Where secrets and tokens are read from when no argument gives them. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Environment variables (`POMERIUM_SHARED_KEY`, `POMERIUM_SHARED_SECRET`, `POMERIUM_*`). */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved from. */
  cwd?: string;
}

/** {@link CliIo} with every field filled in. */
export interface CommandContext {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

export function commandContext(io: CliIo = {}): CommandContext {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
}

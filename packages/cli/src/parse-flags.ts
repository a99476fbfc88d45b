import { usageError } from './cli-error.js';

/** How one flag is read. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable; string values are also split on commas when `list` is set. */
  multiple?: boolean;
  /** Split each value on commas (Go's comma-list flags such as `-aud a,b`). */
  list?: boolean;
}

/** Flags of one command, by canonical name (words joined with `-`). */
export type FlagSpecs = Record<string, FlagSpec>;

/** What {@link parseFlags} found. */
export interface ParsedFlags {
  /** `string` for single string flags, `string[]` for repeatable ones, `true` for booleans. */
  values: Record<string, string | string[] | boolean>;
  positionals: string[];
  help: boolean;
}

/** `impersonate_email`, `impersonate-email` and `IMPERSONATE_EMAIL` all name one flag. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/**
 * Reads a command line the way Go's `flag` package does, so the historic `pomerium-cli` lines
 * work unchanged: one or two dashes (`-aud x`, `--aud x`), `-name=value`, a string flag takes the
 * next argument whatever it looks like, `--` ends the flags. Unlike Go, flags may follow
 * positional arguments. `-h`, `-help` and `--help` ask for help. A lone `-` is a positional (standard input).
 */
export function parseFlags(
  command: string,
  argv: readonly string[],
  specs: FlagSpecs,
): ParsedFlags {
  const values: ParsedFlags['values'] = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const rawName = eq < 0 ? body : body.slice(0, eq);
    const name = canonical(rawName);
    if (name === 'h' || name === 'help') {
      help = true;
      continue;
    }
    const spec = specs[name];
    if (!spec)
      throw usageError(command, `unknown flag ${arg.slice(0, arg.length - body.length)}${rawName}`);
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (eq < 0) value = true;
      else {
        const word = BOOLEAN_WORDS[body.slice(eq + 1).toLowerCase()];
        if (word === undefined)
          throw usageError(command, `flag -${rawName} takes no value other than true or false`);
        value = word;
      }
    } else if (eq >= 0) {
      value = body.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) throw usageError(command, `flag -${rawName} needs a value`);
      value = argv[++i]!;
    }
    if (typeof value === 'boolean') {
      if (value) values[name] = true;
      else delete values[name];
      continue;
    }
    const parts = spec.list
      ? value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : [value];
    if (spec.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(...parts);
      values[name] = list;
    } else {
      if (values[name] !== undefined) throw usageError(command, `flag -${rawName} is given twice`);
      values[name] = value;
    }
  }
  return { values, positionals, help };
}

/** The value of a single string flag. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** The values of a repeatable flag (empty when absent). */
export function listFlag(flags: ParsedFlags, name: string): string[] {
  const v = flags.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Whether a boolean flag is set. */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

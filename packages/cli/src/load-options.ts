import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createRecordsSource,
  isRecordsSource,
  type PomeriumAuthOptions,
  type RecordsSource,
  type RecordsSourceOptions,
} from '@pomerium-auth/core';
import { CliError, EXIT_CODES } from './cli-error.js';
import type { CommandContext } from './cli-io.js';
import { OptionOrigins } from './option-origins.js';

/** Options read from a file, and the records sources opened for them (closed when done). */
export interface LoadedOptions {
  options: PomeriumAuthOptions;
  file?: string;
  close(): void;
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

async function importModule(file: string): Promise<Record<string, unknown>> {
  // The ESM build needs a file URL (Windows paths are not URLs); the CommonJS build turns
  // import() into require(), which takes a path.
  const specifier =
    process.platform === 'win32' && typeof require === 'undefined'
      ? pathToFileURL(file).href
      : file;
  return (await import(specifier)) as Record<string, unknown>;
}

/**
 * Reads the options object an application passes to `pomeriumAuth(...)` from a file: JSON, or a
 * `.js`/`.mjs`/`.cjs` module whose default export (or `options` export) is that object.
 *
 * JSON cannot hold functions, so in a JSON file `directory`, `serviceAccounts` and `namespaces` may also be
 * written as `createRecordsSource` options (`{ "records": [...] }` or `{ "url": "users.csv" }`,
 * relative to the file): they are loaded before the command runs.
 */
export async function loadOptionsFile(ctx: CommandContext, file: string): Promise<LoadedOptions> {
  const path = resolve(ctx.cwd, file);
  let value: unknown;
  if (MODULE_EXTENSIONS.has(extname(path))) {
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(path);
    } catch (err) {
      throw new CliError(`cannot load ${file}: ${(err as Error).message}`, EXIT_CODES.usage);
    }
    value = mod.default ?? mod.options;
  } else {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        EXIT_CODES.usage,
      );
    }
    try {
      value = JSON.parse(text) as unknown;
    } catch (err) {
      throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, EXIT_CODES.usage);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      `${file} must hold an options object (JSON object, or a module's default export)`,
      EXIT_CODES.usage,
    );
  }
  const options: PomeriumAuthOptions = { ...(value as PomeriumAuthOptions) };
  const opened: Array<{ name: string; source: RecordsSource; problems: string[] }> = [];
  const close = (): void => opened.forEach((o) => o.source.close());
  for (const name of ['directory', 'serviceAccounts', 'namespaces'] as const) {
    const given: unknown = options[name];
    if (given === undefined || typeof given === 'function' || isRecordsSource(given)) continue;
    if (typeof given !== 'object' || given === null) continue; // core names the option in its error
    const sourceOptions = { ...(given as RecordsSourceOptions) };
    if (
      typeof sourceOptions.url === 'string' &&
      sourceOptions.url !== '' &&
      !/^[a-z][a-z0-9+.-]*:\/\//i.test(sourceOptions.url) &&
      !isAbsolute(sourceOptions.url)
    ) {
      sourceOptions.url = resolve(dirname(path), sourceOptions.url);
    }
    // A one-shot command cannot wait for the next reload: a first load that fails is reported.
    const problems: string[] = [];
    sourceOptions.logger = { warn: (message) => problems.push(message) };
    const origins = new OptionOrigins({}, (option) => `option "${name}.${option}" in ${file}`);
    let source: RecordsSource;
    try {
      source = origins.check(() => createRecordsSource(sourceOptions));
    } catch (err) {
      close();
      throw err;
    }
    opened.push({ name, source, problems });
    options[name] = source;
  }
  await Promise.all(opened.map((o) => o.source.ready()));
  const failed = opened.find((o) => o.source.version === 0 && o.problems.length > 0);
  if (failed) {
    close();
    throw new CliError(
      `option "${failed.name}" in ${file}: ${failed.problems[0]!.replace(/^pomerium-auth: /, '')}`,
      EXIT_CODES.usage,
    );
  }
  return { options, file, close };
}

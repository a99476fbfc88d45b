/**
 * Loads `yaml` on first use: it is the largest part of the core's load time, and only documents
 * written as text need it. A CommonJS file of its own, so that both builds can `require` it
 * synchronously (an ES module cannot, and compilePolicy is synchronous).
 */
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/** The `yaml` module, loaded the first time it is asked for. */
export function yamlModule(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously
  yaml ??= require('yaml') as typeof Yaml;
  return yaml;
}

/**
 * `@pomerium-auth/cli`: the `pomerium-auth` command. The command line is also callable
 * in-process with {@link runCli}, for tests and scripts.
 *
 * @packageDocumentation
 */
export { runCli } from './run-cli.js';
export type { CliIo } from './cli-io.js';
export { EXIT_CODES } from './cli-error.js';
export { parseGoDuration } from './go-duration.js';

/**
 * Where the signature worker's script is: beside this file, in whichever build (ES module or
 * CommonJS) loaded it. A CommonJS file of its own so that both builds can read `__dirname` (an
 * ES module would need `import.meta.url`, which the CommonJS build cannot compile).
 */
import { join } from 'node:path';

/** The absolute path of `signature-worker.js` in this build. */
export const SIGNATURE_WORKER_SCRIPT = join(__dirname, 'signature-worker.js');

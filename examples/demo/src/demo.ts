// `pnpm demo`: the walkthrough, on embedded defaults. Exits 1 if any step does not behave as shown.
import { runDemo } from './run-demo.js';

const { passed } = await runDemo({ output: process.stdout });
process.exitCode = passed ? 0 : 1;

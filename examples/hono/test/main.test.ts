// `node dist/main.js` prints curl commands; they answer as described.
import { mainScriptTests } from '@pomerium-auth/example-support';

mainScriptTests(new URL('../dist/main.js', import.meta.url));

// Runs the example against a local stand-in for Pomerium: a dev key server and freshly minted
// tokens. `pnpm start` (after `pnpm build`); PORT defaults to 3000.
import { startDevServer } from '@pomerium-auth/example-support';
import { createApp, listenable } from './app.js';

await startDevServer('example-hono', (options) => listenable(createApp(options)));

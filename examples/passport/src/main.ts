// Start with POMERIUM_JWKS_URL, POMERIUM_AUDIENCE and POMERIUM_SHARED_SECRET set.
import { createApp } from './app.js';

createApp().listen(Number(process.env.PORT ?? 3000));

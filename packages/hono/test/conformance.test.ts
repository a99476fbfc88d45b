import { runConformance } from '@pomerium-auth/adapter-conformance';
import { startConformanceApp } from './conformance-app.js';

runConformance({
  name: 'hono 4',
  start: (options, placement) => startConformanceApp(options, placement, 'node'),
  features: { requireAuthentication: true },
});

// Without Node's request in c.env (as on other runtimes): headers read from the Web Request.
runConformance({
  name: 'hono 4, Web Request only',
  start: (options, placement) => startConformanceApp(options, placement, 'web'),
  features: { requireAuthentication: true },
});

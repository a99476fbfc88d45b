import { runConformance } from '@pomerium-auth/adapter-conformance';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
import { startConformanceApp } from './conformance-app.js';

for (const [name, Koa] of [
  ['koa 2', Koa2],
  ['koa 3', Koa3],
] as const) {
  runConformance({
    name,
    start: (options, placement) => startConformanceApp(Koa, options, placement),
    features: { requireAuthentication: true },
  });
}

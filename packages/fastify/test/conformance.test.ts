import { runConformance } from '@pomerium-auth/adapter-conformance';
import fastify4 from 'fastify4';
import fastify5 from 'fastify5';
import { rulesFor, startConformanceApp } from './conformance-app.js';

for (const [name, fastify] of [
  ['fastify 4', fastify4],
  ['fastify 5', fastify5],
] as const) {
  runConformance({
    name,
    start: (options, placement) => startConformanceApp(fastify, options, rulesFor(placement)),
    features: { requireAuthentication: true },
  });
}

// The route's rule hook added ahead of the plugin, in the route's own context: the plugin
// decides with it (route grants replace the global ones), as with config.pomerium.
runConformance({
  name: 'fastify 5, rule hooks before the plugin',
  start: (options) => startConformanceApp(fastify5, options, 'hooks-first'),
  placements: ['route'],
  features: { requireAuthentication: true },
});

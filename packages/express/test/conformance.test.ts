import { runConformance } from '@pomerium-auth/adapter-conformance';
import express4 from 'express4';
import express5 from 'express5';
import { startConformanceApp } from './conformance-app.js';

for (const [name, express] of [
  ['express 4', express4],
  ['express 5', express5],
] as const) {
  runConformance({
    name,
    start: (options, placement) => startConformanceApp(express, options, placement),
    features: { requireAuthentication: true },
  });
}

import { runConformance } from '@pomerium-auth/adapter-conformance';
import { startConformanceApp } from './express-app.js';

// passport.authenticate('pomerium', { route }) on each route: the rule is part of the one decision.
runConformance({
  name: "passport.authenticate('pomerium') on express 5",
  placements: ['route'],
  start: (options) => startConformanceApp(options),
});

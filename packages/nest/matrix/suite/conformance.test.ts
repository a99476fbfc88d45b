import { runConformance } from '@pomerium-auth/adapter-conformance';
import { loadedVersions, PLATFORMS } from './nest-app.js';
import { startConformanceApp, type Binding, type GuardKind } from './conformance-app.js';

const { core } = loadedVersions();
const bindings: Binding[] = ['APP_GUARD', '@UseGuards'];
const guards: GuardKind[] = ['PomeriumAuthGuard', 'PomeriumPassportGuard'];

// Each guard reads the route's rule before it decides, bound globally or per controller alike:
// every binding is the table's 'route' placement (one decision per request).
for (const guard of guards) {
  for (const platform of PLATFORMS) {
    for (const binding of bindings) {
      runConformance({
        name: `nest ${core} ${platform} ${guard} ${binding}`,
        placements: ['route'],
        features: { requireAuthentication: true },
        start: (options) => startConformanceApp(options, platform, binding, guard),
      });
    }
  }
}

// pnpm --filter @pomerium-auth/security-suite soak   (SOAK_REQUESTS=200000 by default)
import { runSoak } from './soak.js';

const requests = Number(process.env.SOAK_REQUESTS ?? 200_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 32);
const report = await runSoak({ requests, concurrency, log: (line) => console.error(line) });
console.log(JSON.stringify(report, null, 2));
const ok =
  report.auditEvents >= report.auditEventsExpected.min &&
  report.auditEvents <= report.auditEventsExpected.max;
process.exitCode = report.wrong === 0 && report.unhandledRejections === 0 && ok ? 0 : 1;

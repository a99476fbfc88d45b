// A benchmark server in its own process, so that the load generator does not share its event
// loop: `fork('server-process.js', [name])` with the HttpConfig as JSON in BENCH_HTTP_CONFIG;
// the port comes back as an IPC message.
import type { HttpConfig } from './http-config.js';
import { startBenchServer, type ServerName } from './servers.js';

const name = process.argv[2] as ServerName;
const config = JSON.parse(process.env.BENCH_HTTP_CONFIG ?? '{}') as HttpConfig;
try {
  const port = await startBenchServer(name, config);
  process.send?.({ port });
} catch (err) {
  process.send?.({ error: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
}
process.on('disconnect', () => process.exit(0));

// One instance of the fleet measurement (run-fleet.ts forks four): a records source polling the
// shared HTTP records server, an authenticator reading service accounts from it, and a loop that
// authenticates one service-account token every 20 ms and reports, over IPC, when it is first
// refused. Nothing here decides anything the parent does not see: it only reports.
import { createPomeriumAuth, createRecordsSource, isPomeriumAuthError } from '@pomerium-auth/core';
import { serviceAccountHeaders } from '@pomerium-auth/testing';

interface InstanceConfig {
  url: string;
  sharedSecret: string;
  token: string;
  source: { minDelay: number; maxDelay: number; backoff?: number };
}

const send = (message: object): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as InstanceConfig;
  const source = createRecordsSource({
    url: config.url,
    ...config.source,
    logger: { warn: () => undefined },
  });
  await source.ready();
  const auth = createPomeriumAuth({
    env: false,
    sharedSecret: config.sharedSecret,
    serviceAccounts: source,
    audit: false,
    logger: { warn: () => undefined },
  });
  const request = () => ({ method: 'GET', url: '/', headers: serviceAccountHeaders(config.token) });
  let readySent = false;
  const timer = setInterval(() => {
    auth.authenticate(request()).then(
      () => {
        if (!readySent) send({ type: 'ready' });
        readySent = true;
      },
      (err: unknown) => {
        if (!readySent) return; // before the first load: not yet part of the measurement
        const reason = isPomeriumAuthError(err) ? err.reason : String(err);
        send({ type: 'refused', at: Date.now(), reason });
        clearInterval(timer);
        source.close();
      },
    );
  }, 20);
}

void main();

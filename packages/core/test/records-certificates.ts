// Test certificates for the HTTPS records tests, made with the openssl command (installed on
// the development machines and in CI): a test CA, a server certificate for 127.0.0.1 signed by
// it, a client certificate signed by it, and a second CA with its own server and client
// certificates, trusted by nobody. TEST KEYS ONLY: made fresh for each run, in a temporary
// directory that is removed afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** The test CA's certificate (PEM). */
  ca: string;
  /** A server certificate for IP 127.0.0.1 and localhost, signed by `ca`, and its key. */
  server: { cert: string; key: string };
  /** A client certificate signed by `ca`, and its key. */
  client: { cert: string; key: string };
  /** A second CA, trusted by no one, with a server and a client certificate of its own. */
  other: {
    ca: string;
    server: { cert: string; key: string };
    client: { cert: string; key: string };
  };
  /** The directory holding the PEM files (`ca.pem`, `other-ca.pem`, ...). */
  dir: string;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `the records TLS tests need the openssl command to make test certificates: ${result.error.message}`,
    );
  }
  if (result.status !== 0)
    throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr.trim()}`);
}

/** `openssl req` arguments for a new, unencrypted P-256 key. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes a self-signed CA: writes `<name>.pem` and `<name>.key`. */
function makeCa(name: string, dir: string): void {
  openssl(
    [
      'req',
      '-x509',
      ...NEW_P256_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=pomerium-auth ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** Makes a certificate signed by CA `ca`, with these X.509 extensions: writes `<name>.pem` and `<name>.key`. */
function makeLeaf(name: string, ca: string, extensions: string, dir: string): void {
  openssl(
    [
      'req',
      ...NEW_P256_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=pomerium-auth ${name}`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

const SERVER_EXT =
  'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n';
const CLIENT_EXT = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n';

/** Makes the test certificates; throws a clear error when openssl is missing. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'records-tls-'));
  try {
    makeCa('ca', dir);
    makeLeaf('server', 'ca', SERVER_EXT, dir);
    makeLeaf('client', 'ca', CLIENT_EXT, dir);
    makeCa('other-ca', dir);
    makeLeaf('other-server', 'other-ca', SERVER_EXT, dir);
    makeLeaf('other-client', 'other-ca', CLIENT_EXT, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const pair = (name: string) => ({ cert: read(`${name}.pem`), key: read(`${name}.key`) });
  return {
    ca: read('ca.pem'),
    server: pair('server'),
    client: pair('client'),
    other: { ca: read('other-ca.pem'), server: pair('other-server'), client: pair('other-client') },
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

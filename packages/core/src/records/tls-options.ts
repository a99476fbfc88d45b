import { optionalBoolean } from '../config/option-checks.js';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { PomeriumAuthConfigError } from '../errors.js';

/** The TLS options of a records source, as the user gives them. */
export interface RecordsTlsOptions {
  /** Extra trusted CA certificates (PEM), added to Node's roots. */
  ca?: string | Buffer | undefined;
  /** Client certificate (PEM; intermediates may follow it) for mutual TLS. Needs `key`. */
  cert?: string | Buffer | undefined;
  /** The client certificate's private key (PEM, unencrypted). Needs `cert`. */
  key?: string | Buffer | undefined;
  /** Accept any server certificate. */
  allowInsecureTLS?: boolean | undefined;
}

/** Checked TLS settings, ready for `https.Agent`. */
export interface TlsSettings {
  /**
   * Node's roots and the extra CAs (or Node's roots as they are, without `ca`), and the client
   * certificate: built once, since building it parses every root certificate again.
   */
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks the TLS options of a records source at construction, so that a wrong certificate is
 * a configuration error naming the option, never a poll that fails every time.
 *
 * `ca` is added to the roots Node trusts (its bundled roots, and `NODE_EXTRA_CA_CERTS`), not
 * put in their place, as Pomerium's own certificate-authority setting does: `https.Agent`'s
 * `ca` would replace them.
 *
 * @param url The source's URL: TLS options only apply to an `https:` URL.
 * @param hasFetch Whether the user gave a `fetch`, which cannot take these options.
 * @returns `undefined` when no TLS option is set.
 * @throws {PomeriumAuthConfigError} Naming the option: not PEM, no certificate in `ca`, `cert`
 *   without `key` or the other way round, a key that does not match the certificate, a key
 *   or certificate that Node's TLS refuses, `allowInsecureTLS` not a boolean, a TLS option on a
 *   URL that is not `https:`, or together with `fetch`.
 *
 * @example
 * ```ts
 * const settings = resolveTlsOptions({ ca: readFileSync('ca.pem', 'utf8') }, new URL('https://data.internal/x.json'), false);
 * ```
 */
export function resolveTlsOptions(
  options: RecordsTlsOptions,
  url: URL | undefined,
  hasFetch: boolean,
): TlsSettings | undefined {
  const { ca, cert, key, allowInsecureTLS } = options;
  optionalBoolean(allowInsecureTLS, 'allowInsecureTLS');
  const given = (['ca', 'cert', 'key', 'allowInsecureTLS'] as const).filter(
    (name) => options[name] !== undefined,
  );
  const first = given[0];
  if (first === undefined) return undefined;
  if (url?.protocol !== 'https:')
    throw new PomeriumAuthConfigError(first, 'applies to https:// URLs only');
  if (hasFetch)
    throw new PomeriumAuthConfigError(
      'fetch',
      `cannot be combined with ${given.map((n) => `"${n}"`).join(', ')}: the global fetch takes no TLS options`,
    );
  if (cert !== undefined && key === undefined)
    throw new PomeriumAuthConfigError('key', 'is required with "cert"');
  if (key !== undefined && cert === undefined)
    throw new PomeriumAuthConfigError('cert', 'is required with "key"');

  let roots: string[] | undefined;
  if (ca !== undefined) roots = [...defaultRoots(), ...certificates(ca, 'ca')];
  if (cert !== undefined && key !== undefined) {
    const [leaf] = certificates(cert, 'cert');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(asPem(key, 'key'));
    } catch (err) {
      if (err instanceof PomeriumAuthConfigError) throw err;
      throw new PomeriumAuthConfigError(
        'key',
        'is not a PEM private key (give the key itself, not its path; an encrypted key is not supported)',
      );
    }
    if (!new X509Certificate(leaf!).checkPrivateKey(privateKey))
      throw new PomeriumAuthConfigError('key', 'does not match the certificate in "cert"');
  }
  try {
    const secureContext = tls.createSecureContext({ ca: roots, cert, key });
    return { secureContext, rejectUnauthorized: allowInsecureTLS !== true };
  } catch (err) {
    // OpenSSL's own refusals, e.g. a key too small for its security level.
    throw new PomeriumAuthConfigError(
      cert !== undefined ? 'cert' : 'ca',
      `is refused by Node's TLS: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The PEM certificates in `value`, each checked by parsing it. */
function certificates(value: string | Buffer, option: string): string[] {
  const pem = asPem(value, option);
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    throw new PomeriumAuthConfigError(
      option,
      'holds no PEM certificate (give the PEM text, not a file path)',
    );
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new PomeriumAuthConfigError(option, 'holds a PEM certificate that cannot be read');
    }
  }
  return blocks;
}

function asPem(value: unknown, option: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new PomeriumAuthConfigError(option, 'must be PEM text (a string or a Buffer)');
}

/**
 * The roots Node trusts by default: `tls.getCACertificates('default')` where Node has it
 * (22.15+), else the bundled roots and the file named by `NODE_EXTRA_CA_CERTS`, which Node
 * adds at start-up.
 */
function defaultRoots(): string[] {
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof get === 'function') return [...get('default')];
  const roots = [...tls.rootCertificates];
  const extraFile = process.env['NODE_EXTRA_CA_CERTS'];
  if (extraFile) {
    try {
      roots.push(...(readFileSync(extraFile, 'utf8').match(PEM_CERTIFICATE) ?? []));
    } catch {
      // Node itself warned at start-up that the file could not be read.
    }
  }
  return roots;
}

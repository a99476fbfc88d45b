import { createHmac, createSecretKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import {
  createPomeriumAuth,
  decodeCompactJws,
  toAuthRequest,
  verifyJwsSignature,
  type AuthRequest,
  type Identity,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import type { TestIssuer } from '@pomerium-auth/testing';
import { createVerifier } from 'fast-jwt';
import { importJWK, jwtVerify } from 'jose';
import type { Operation } from '../harness/measure.js';
import {
  asReceived,
  assertionPool,
  freshCopies,
  serviceAccountPool,
  type BenchIssuers,
  type TokenPool,
} from './token-pools.js';

/** One micro-benchmark: what it times, against which baseline of its group, and how to tell it verified. */
export interface MicroCase {
  id: string;
  /** Cases of one group share their workload; ratios are to the group's baseline. */
  group: string;
  label: string;
  /** The id of this group's baseline (absent on the baseline itself). */
  baseline?: string;
  /** Reference rows (other libraries) are shown but carry no target. */
  reference?: boolean;
  awaited: boolean;
  iterations: number;
  warmup: number;
  /** Builds the operation for one sample (fresh state, e.g. an empty cache). */
  prepare(): Operation | Promise<Operation>;
  /** Whether the result of call `i` shows a successful verification. */
  verified(result: unknown, i: number): boolean;
}

/** Iterations per sample: asymmetric cases are ~100x slower than HMAC ones. */
export interface MicroSizes {
  asymmetric: number;
  hmac: number;
}

/** The group of the harness's own cost (one `await`): shown, not judged. */
export const OVERHEAD_GROUP = 'harness overhead';
const HS256_FIRST_GROUP = 'HS256 service account, first sight';
const HS256_REPEATED_GROUP = 'HS256 service account, repeated (cache hit)';

/**
 * A request as every adapter hands it to core: built by `toAuthRequest` from the framework's
 * request. (Not `{ ...base, headers }`: on Node 20 that spread alone measured about 1 µs per
 * object, and core's reads of the object it makes were slower too: it inflated every core case.)
 */
function request(headers: Record<string, string>): AuthRequest {
  return toAuthRequest({ method: 'GET', url: '/api/items?page=2', headers });
}

function isUser(result: unknown, id: string): boolean {
  return (result as Identity | undefined)?.user.id === id;
}

/** jose 6 runs on WebCrypto: a KeyObject would be converted on every call, so it gets a CryptoKey, as its docs advise. */
type JoseKey = Awaited<ReturnType<typeof importJWK>>;

function assertionCases(
  alg: 'ES256' | 'RS256',
  issuer: TestIssuer,
  pool: TokenPool,
  n: number,
  joseKey: JoseKey,
): MicroCase[] {
  const key = issuer.keys[0]!;
  const publicKey: KeyObject = key.publicKey;
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const group = `${alg} assertion, first sight`;
  const floorId = `${alg.toLowerCase()}.floor`;
  const base = { group, awaited: false, iterations: n, warmup: n };
  const options: PomeriumAuthOptions = {
    publicKeys: [key.publicJwk],
    issuer: issuer.issuer,
    audience: issuer.audience,
    env: false,
    // This group measures one thread: the signature is checked on it.
    assertionVerification: 'main-thread',
  };
  const dsaEncoding = alg === 'ES256' ? 'ieee-p1363' : undefined;
  const { tokens, signingInputs, signatures } = pool;
  return [
    {
      ...base,
      id: floorId,
      label: `node:crypto verify (floor)`,
      prepare: () => (i) =>
        verify(
          'sha256',
          signingInputs[i]!,
          dsaEncoding ? { key: publicKey, dsaEncoding } : publicKey,
          signatures[i]!,
        ),
      verified: (r) => r === true,
    },
    {
      ...base,
      id: `${alg.toLowerCase()}.core.authenticate`,
      label: 'core authenticate (awaited)',
      baseline: floorId,
      awaited: true,
      // A new instance per sample: its cache starts empty, so every token is seen for the first time.
      prepare: () => {
        const auth = createPomeriumAuth(options);
        return (i) => auth.authenticate(request({ 'x-pomerium-jwt-assertion': tokens[i]! }));
      },
      verified: (r, i) => isUser(r, `user_${i}`),
    },
    {
      ...base,
      id: `${alg.toLowerCase()}.core.verify-jws`,
      label: 'core decodeCompactJws + verifyJwsSignature',
      baseline: floorId,
      prepare: () => (i) => {
        const jws = decodeCompactJws(tokens[i]!);
        return (
          verifyJwsSignature(alg, jws.signingInput, jws.signature, publicKey) &&
          jws.payload.sub === `user_${i}`
        );
      },
      verified: (r) => r === true,
    },
    {
      ...base,
      id: `${alg.toLowerCase()}.jose`,
      label: 'jose 6 jwtVerify (CryptoKey, awaited)',
      baseline: floorId,
      reference: true,
      awaited: true,
      prepare: () => (i) =>
        jwtVerify(tokens[i]!, joseKey, {
          algorithms: [alg],
          issuer: issuer.issuer,
          audience: issuer.audience,
        }),
      verified: (r, i) => (r as { payload: { sub?: string } }).payload.sub === `user_${i}`,
    },
    {
      ...base,
      id: `${alg.toLowerCase()}.fast-jwt`,
      label: 'fast-jwt createVerifier',
      baseline: floorId,
      reference: true,
      prepare: () => {
        const verifier = createVerifier({
          key: pem,
          algorithms: [alg],
          allowedIss: issuer.issuer,
          allowedAud: issuer.audience,
        });
        return (i): unknown => verifier(tokens[i]!);
      },
      verified: (r, i) => (r as { sub?: string }).sub === `user_${i}`,
    },
  ];
}

function hmacFloor(secret: KeyObject, pool: TokenPool, pick: (i: number) => number): Operation {
  const { signingInputTexts, signatures } = pool;
  return (i) => {
    const k = pick(i);
    const mac = createHmac('sha256', secret).update(signingInputTexts[k]!).digest();
    return timingSafeEqual(mac, signatures[k]!);
  };
}

function serviceAccountCases(
  issuer: TestIssuer,
  fresh: TokenPool,
  n: number,
  joseKey: JoseKey,
): MicroCase[] {
  const secret = createSecretKey(issuer.sharedSecretBytes);
  const options: PomeriumAuthOptions = { sharedSecret: issuer.sharedSecret, env: false };
  const firstGroup = HS256_FIRST_GROUP;
  const first = { group: firstGroup, awaited: false, iterations: n, warmup: n };
  const { tokens } = fresh;
  const headerValues = tokens.map((t) => asReceived(`Pomerium ${t}`));

  // The repeated workload: one token, each request with its own copy of the header text.
  const repeatedGroup = HS256_REPEATED_GROUP;
  const repeated = { group: repeatedGroup, awaited: false, iterations: n, warmup: n };
  const COPIES = 1024;
  const sameToken = tokens[0]!;
  const sameHeaders = freshCopies(`Pomerium ${sameToken}`, COPIES);
  const sameTokens = freshCopies(sameToken, COPIES);
  const at = (i: number): number => i & (COPIES - 1);

  return [
    {
      ...first,
      id: 'hs256.floor',
      label: 'createHmac + timingSafeEqual (floor)',
      prepare: () => hmacFloor(secret, fresh, (i) => i),
      verified: (r) => r === true,
    },
    {
      ...first,
      id: 'hs256.core.authenticate.no-cache',
      label: 'core authenticate, cache: false (awaited)',
      baseline: 'hs256.floor',
      awaited: true,
      prepare: () => {
        const auth = createPomeriumAuth({ ...options, cache: false });
        return (i) => auth.authenticate(request({ authorization: headerValues[i]! }));
      },
      verified: (r, i) => isUser(r, `bot-${i}`),
    },
    {
      ...first,
      id: 'hs256.core.authenticate.fresh',
      label: 'core authenticate, cache on, new tokens (awaited)',
      baseline: 'hs256.floor',
      awaited: true,
      prepare: () => {
        const auth = createPomeriumAuth(options);
        return (i) => auth.authenticate(request({ authorization: headerValues[i]! }));
      },
      verified: (r, i) => isUser(r, `bot-${i}`),
    },
    {
      ...first,
      id: 'hs256.core.verify-jws',
      label: 'core decodeCompactJws + verifyJwsSignature',
      baseline: 'hs256.floor',
      prepare: () => (i) => {
        const jws = decodeCompactJws(tokens[i]!);
        return (
          verifyJwsSignature('HS256', jws.signingInput, jws.signature, secret) &&
          jws.payload.sub === `bot-${i}`
        );
      },
      verified: (r) => r === true,
    },
    {
      ...first,
      id: 'hs256.jose',
      label: 'jose 6 jwtVerify (CryptoKey, awaited)',
      baseline: 'hs256.floor',
      reference: true,
      awaited: true,
      prepare: () => (i) => jwtVerify(tokens[i]!, joseKey, { algorithms: ['HS256'] }),
      verified: (r, i) => (r as { payload: { sub?: string } }).payload.sub === `bot-${i}`,
    },
    {
      ...first,
      id: 'hs256.fast-jwt',
      label: 'fast-jwt createVerifier',
      baseline: 'hs256.floor',
      reference: true,
      prepare: () => {
        const verifier = createVerifier({ key: issuer.sharedSecretBytes, algorithms: ['HS256'] });
        return (i): unknown => verifier(tokens[i]!);
      },
      verified: (r, i) => (r as { sub?: string }).sub === `bot-${i}`,
    },
    {
      ...repeated,
      id: 'hs256-repeat.floor',
      label: 'createHmac + timingSafeEqual (floor)',
      prepare: () => hmacFloor(secret, fresh, () => 0),
      verified: (r) => r === true,
    },
    {
      ...repeated,
      id: 'hs256-repeat.core.authenticate',
      label: 'core authenticate, cache hit (awaited)',
      baseline: 'hs256-repeat.floor',
      awaited: true,
      prepare: () => {
        const auth = createPomeriumAuth(options);
        return (i) => auth.authenticate(request({ authorization: sameHeaders[at(i)]! }));
      },
      verified: (r) => isUser(r, 'bot-0'),
    },
    {
      ...repeated,
      id: 'hs256-repeat.jose',
      label: 'jose 6 jwtVerify (CryptoKey, no cache, awaited)',
      baseline: 'hs256-repeat.floor',
      reference: true,
      awaited: true,
      prepare: () => (i) => jwtVerify(sameTokens[at(i)]!, joseKey, { algorithms: ['HS256'] }),
      verified: (r) => (r as { payload: { sub?: string } }).payload.sub === 'bot-0',
    },
    {
      ...repeated,
      id: 'hs256-repeat.fast-jwt',
      label: 'fast-jwt createVerifier, cache: true',
      baseline: 'hs256-repeat.floor',
      reference: true,
      prepare: () => {
        const verifier = createVerifier({
          key: issuer.sharedSecretBytes,
          algorithms: ['HS256'],
          cache: true,
        });
        return (i): unknown => verifier(sameTokens[at(i)]!);
      },
      verified: (r) => (r as { sub?: string }).sub === 'bot-0',
    },
  ];
}

/** What awaiting an already-resolved promise costs here: the floor of any awaited case. */
function overheadCase(n: number): MicroCase {
  const resolved = Promise.resolve(true);
  return {
    id: 'overhead.await',
    group: OVERHEAD_GROUP,
    label: 'await of a resolved promise',
    awaited: true,
    iterations: n,
    warmup: n,
    prepare: () => () => resolved,
    verified: (r) => r === true,
  };
}

/**
 * Every verification micro-benchmark, with its token pools minted up front (never timed).
 *
 * @example
 * ```ts
 * const cases = await buildMicroCases(await createBenchIssuers(), { asymmetric: 1000, hmac: 20000 });
 * ```
 */
export async function buildMicroCases(
  issuers: BenchIssuers,
  sizes: MicroSizes,
  onlyGroup?: string,
): Promise<MicroCase[]> {
  // Pools are minted only for the groups asked for: a child process measures one group.
  const wanted = (group: string): boolean => onlyGroup === undefined || onlyGroup === group;
  const cases: MicroCase[] = [];
  if (wanted(OVERHEAD_GROUP)) cases.push(overheadCase(sizes.hmac));
  for (const [alg, issuer] of [
    ['ES256', issuers.es256],
    ['RS256', issuers.rs256],
  ] as const) {
    if (!wanted(`${alg} assertion, first sight`)) continue;
    const joseKey = await importJWK(issuer.keys[0]!.publicJwk, alg);
    cases.push(
      ...assertionCases(
        alg,
        issuer,
        assertionPool(issuer, sizes.asymmetric),
        sizes.asymmetric,
        joseKey,
      ),
    );
  }
  if (wanted(HS256_FIRST_GROUP) || wanted(HS256_REPEATED_GROUP)) {
    const hsKey = await importJWK(
      { kty: 'oct', k: issuers.es256.sharedSecretBytes.toString('base64url') },
      'HS256',
    );
    cases.push(
      ...serviceAccountCases(
        issuers.es256,
        serviceAccountPool(issuers.es256, sizes.hmac),
        sizes.hmac,
        hsKey,
      ).filter((c) => wanted(c.group)),
    );
  }
  return cases;
}

import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';

/** A pre-minted pool of tokens, so that minting is never inside a timed loop. */
export interface TokenPool {
  tokens: string[];
  /** Each token's signing input (`header.payload`) and decoded signature, for the node:crypto floors. */
  signingInputs: Buffer[];
  signingInputTexts: string[];
  signatures: Buffer[];
}

function split(tokens: string[]): TokenPool {
  const signingInputTexts = tokens.map((t) => t.slice(0, t.lastIndexOf('.')));
  return {
    tokens,
    signingInputTexts,
    signingInputs: signingInputTexts.map((s) => Buffer.from(s)),
    signatures: tokens.map((t) => Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url')),
  };
}

/** Assertions as Pomerium sends them: one per user, each distinct (fresh `jti`, `sub`, `iat`). */
export function assertionPool(issuer: TestIssuer, size: number): TokenPool {
  const tokens: string[] = [];
  for (let i = 0; i < size; i++) {
    tokens.push(
      asReceived(
        issuer.mintAssertion(
          { sub: `user_${i}`, email: `user_${i}@corp.example`, groups: ['staff', 'admins'] },
          { lifetime: 3600 },
        ),
      ),
    );
  }
  return split(tokens);
}

/** Today's service-account tokens, each for a different account. */
export function serviceAccountPool(issuer: TestIssuer, size: number): TokenPool {
  const tokens: string[] = [];
  for (let i = 0; i < size; i++)
    tokens.push(asReceived(issuer.mintServiceAccountToken({ id: `sa-${i}`, userId: `bot-${i}` })));
  return split(tokens);
}

/**
 * The text as an HTTP request delivers it: a flat string of its own, read from the socket.
 * Minted tokens and `Pomerium ${token}` are concatenations (V8 cons strings), which every first
 * string operation would have to flatten: a cost no request from the network has.
 */
export function asReceived(text: string): string {
  return Buffer.from(text).toString('latin1');
}

/**
 * `count` distinct string objects holding the same text. Each HTTP request carries its own copy
 * of a header value, so a cache keyed by it hashes and compares the whole text every time;
 * reusing one string object would let the engine reuse its cached hash.
 */
export function freshCopies(text: string, count: number): string[] {
  const copies: string[] = [];
  for (let i = 0; i < count; i++) copies.push(asReceived(text));
  return copies;
}

/** The keys of one benchmark run: an ES256 issuer (with the shared secret) and an RS256 one. */
export interface BenchIssuers {
  es256: TestIssuer;
  rs256: TestIssuer;
}

export async function createBenchIssuers(): Promise<BenchIssuers> {
  const es256 = await createTestIssuer({ alg: 'ES256' });
  const rs256 = await createTestIssuer({ alg: 'RS256', sharedSecret: es256.sharedSecret });
  return { es256, rs256 };
}

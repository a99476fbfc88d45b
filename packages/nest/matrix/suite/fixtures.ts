// What the suite's test files share: an issuer whose keys the apps trust, and a PomeriumStrategy
// provider for the Passport apps.
import { after, before } from 'node:test';
import { Injectable, type Type } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { AuditEvent, Identity, PomeriumAuthOptions } from '@pomerium-auth/core';
import type { Principal } from '@pomerium-auth/nest';
import { PomeriumStrategy } from '@pomerium-auth/passport';
import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';

export interface IssuerFixture {
  issuer: TestIssuer;
  /** Options that trust the issuer's keys and shared secret, with the file's own additions. */
  options: PomeriumAuthOptions;
  /** Every audit event of the apps started with `options`. */
  events: AuditEvent[];
}

/** Starts a test issuer and its key server before the file's tests, and stops them after. */
export function issuerFixture(more: Partial<PomeriumAuthOptions> = {}): IssuerFixture {
  const fixture = { events: [] as AuditEvent[] } as IssuerFixture;
  before(async () => {
    const issuer = await createTestIssuer();
    const keys = await issuer.serve();
    fixture.issuer = issuer;
    fixture.options = {
      jwksUrl: keys.url,
      issuer: issuer.issuer,
      audience: issuer.audience,
      sharedSecret: issuer.sharedSecret,
      audit: (e) => fixture.events.push(e),
      env: false,
      logger: { warn: () => undefined },
      ...more,
    };
  });
  after(() => fixture.issuer?.close());
  return fixture;
}

/**
 * A provider registering PomeriumStrategy with Passport under `name`; its user is the effective
 * principal. Passport keeps strategies by name, one registry per process: apps with other
 * options running at the same time need names of their own.
 */
export function pomeriumStrategyProvider(
  name: string,
  options: PomeriumAuthOptions,
): Type<unknown> {
  @Injectable()
  class Strategy extends PassportStrategy(PomeriumStrategy, name) {
    constructor() {
      super(options);
    }
    validate(identity: Identity): Principal {
      return identity.user;
    }
  }
  return Strategy;
}

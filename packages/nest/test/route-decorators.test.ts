import { test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import {
  AllowImpersonation,
  ForbidImpersonation,
  OptionalAuth,
  Public,
  RequireAuthentication,
  OPTIONAL_AUTH_KEY,
  PUBLIC_ROUTE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  ROUTE_RULE_KEY,
} from '@pomerium-auth/nest';

const bad: Array<[string, () => unknown]> = [
  [
    'an invalid regular expression target',
    () => AllowImpersonation({ initiators: ['group:admins'], targets: ['/[/'] }),
  ],
  ['a grant without initiators', () => AllowImpersonation({ targets: ['user_*'] } as never)],
  ['a grant that is not an object', () => AllowImpersonation('admins' as never)],
];
for (const [name, decorate] of bad) {
  test(`AllowImpersonation refuses ${name} when it decorates`, () => {
    assert.throws(decorate, { name: 'PomeriumAuthConfigError' });
  });
}

test('the decorators store the rules the guard reads, handler and class alike', () => {
  class Controller {
    // Never called: the method is only where the decorators put their metadata.
    handler(this: void): void {}
  }
  ForbidImpersonation()(Controller);
  const grant = { initiators: ['group:helpdesk'], targets: ['user_*'] };
  AllowImpersonation(grant)(
    Controller.prototype,
    'handler',
    Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!,
  );
  Public()(
    Controller.prototype,
    'handler',
    Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!,
  );
  RequireAuthentication()(Controller);
  assert.deepEqual(Reflect.getMetadata(ROUTE_RULE_KEY, Controller), { impersonation: 'forbid' });
  assert.deepEqual(Reflect.getMetadata(ROUTE_RULE_KEY, Controller.prototype.handler), {
    impersonation: { grants: [grant] },
  });
  assert.equal(Reflect.getMetadata(PUBLIC_ROUTE_KEY, Controller.prototype.handler), true);
  assert.equal(Reflect.getMetadata(REQUIRE_AUTHENTICATION_KEY, Controller), true);
});

test('AllowImpersonation takes the grants one per argument or as one array, as the other adapters take them', () => {
  const helpdesk = { name: 'helpdesk', initiators: ['group:helpdesk'], targets: ['user_*'] };
  const ops = { name: 'ops', initiators: ['group:ops'], targets: ['svc-*'] };
  const stored = (decorator: ClassDecorator) => {
    class Controller {}
    decorator(Controller);
    return Reflect.getMetadata(ROUTE_RULE_KEY, Controller) as unknown;
  };
  const expected = { impersonation: { grants: [helpdesk, ops] } };
  assert.deepEqual(stored(AllowImpersonation(helpdesk, ops)), expected);
  assert.deepEqual(stored(AllowImpersonation([helpdesk, ops])), expected);
  assert.throws(() => AllowImpersonation([{ targets: ['x'] } as never]), {
    name: 'PomeriumAuthConfigError',
  });
});

test('OptionalAuth stores its mark on a handler or a class', () => {
  class Controller {
    // Never called: the method is only where the decorators put their metadata.
    handler(this: void): void {}
  }
  OptionalAuth()(Controller);
  OptionalAuth()(
    Controller.prototype,
    'handler',
    Object.getOwnPropertyDescriptor(Controller.prototype, 'handler')!,
  );
  assert.equal(Reflect.getMetadata(OPTIONAL_AUTH_KEY, Controller), true);
  assert.equal(Reflect.getMetadata(OPTIONAL_AUTH_KEY, Controller.prototype.handler), true);
});

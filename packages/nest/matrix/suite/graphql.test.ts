// GraphQL resolvers behind the guards: @nestjs/graphql with the Apollo driver, on Express.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Module, UseGuards, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  OptionalAuth,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  PomeriumIdentity,
  Public,
  type Principal,
} from '@pomerium-auth/nest';
import { pomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { assertionHeaders } from '@pomerium-auth/testing';
import { startNestApp, type RunningApp } from './nest-app.js';
import { issuerFixture, pomeriumStrategyProvider } from './fixtures.js';

@ObjectType()
class Me {
  @Field()
  id!: string;
  @Field(() => String, { nullable: true })
  email!: string | null;
  @Field()
  by!: string;
  @Field()
  impersonating!: boolean;
}

function resolver(): Type<unknown> {
  @Resolver(() => Me)
  class MeResolver {
    @Query(() => Me)
    me(
      @EffectiveUser() user: Principal,
      @EffectiveUser('email') email: string | undefined,
      @InitiatingUser('id') by: string,
      @PomeriumIdentity('impersonating') impersonating: boolean,
    ): Me {
      return { id: user.id, email: email ?? null, by, impersonating };
    }

    // Nullable: a refused field then leaves the operation's other fields their data.
    @Query(() => String, { nullable: true })
    @ForbidImpersonation()
    secret(@EffectiveUser('id') id: string): string {
      return `secret of ${id}`;
    }

    @Query(() => String, { nullable: true })
    @OptionalAuth()
    greeting(@EffectiveUser('id') id: string | undefined): string {
      return id ? `hello ${id}` : 'hello stranger';
    }

    @Query(() => String)
    @Public()
    health(@EffectiveUser('id') id: string | undefined): string {
      return id === undefined ? 'ok' : 'an identity on a public query';
    }
  }
  return MeResolver;
}

const graphql = () =>
  GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    autoSchemaFile: true,
    context: ({ req }: { req: unknown }) => ({ req }),
  });

function guardModule(options: PomeriumAuthOptions): Type<unknown> {
  @Module({
    imports: [PomeriumAuthModule.forRoot(options), graphql()],
    providers: [resolver(), { provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class GraphqlApp {}
  return GraphqlApp;
}

function passportModule(options: PomeriumAuthOptions): Type<unknown> {
  const guarded = resolver();
  UseGuards(pomeriumPassportGuard('pomerium-graphql'))(guarded);
  @Module({
    imports: [graphql()],
    providers: [guarded, pomeriumStrategyProvider('pomerium-graphql', options)],
  })
  class PassportGraphqlApp {}
  return PassportGraphqlApp;
}

const fx = issuerFixture({
  impersonation: { grants: [{ name: 'support', initiators: ['group:admins'], targets: ['*'] }] },
});

const as = (sub: string, groups: string[] = []) =>
  assertionHeaders(fx.issuer.mintAssertion({ sub, email: `${sub}@corp.example`, groups }));

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

const modules = { PomeriumAuthGuard: guardModule, PomeriumPassportGuard: passportModule };

for (const [guardName, moduleFor] of Object.entries(modules)) {
  describe(`GraphQL resolvers with ${guardName}`, () => {
    let app: RunningApp;
    before(async () => {
      app = await startNestApp(moduleFor(fx.options), 'express');
    });
    after(() => app?.close());

    const ask = async (query: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as GraphqlAnswer;
    };

    test('a resolver gets the effective user, its properties and the initiator', async () => {
      const answer = await ask('{ me { id email by impersonating } }', {
        ...as('alice', ['admins']),
        'impersonate-user': 'bob',
      });
      assert.deepEqual(answer.errors, undefined);
      assert.deepEqual(answer.data, {
        me: { id: 'bob', email: null, by: 'alice', impersonating: true },
      });
      const own = await ask('{ me { id email by impersonating } }', as('carol'));
      assert.deepEqual(own.data, {
        me: { id: 'carol', email: 'carol@corp.example', by: 'carol', impersonating: false },
      });
    });

    test('an unauthenticated query is refused: UNAUTHENTICATED, with the JSON body of the 401', async () => {
      const answer = await ask('{ me { id } }');
      assert.equal(answer.data ?? null, null);
      assert.equal(answer.errors?.length, 1);
      const [error] = answer.errors;
      assert.equal(error!.message, 'Authentication is required');
      assert.equal(error!.extensions?.code, 'UNAUTHENTICATED');
      assert.deepEqual(error!.extensions?.originalError, {
        statusCode: 401,
        error: 'credentials_required',
        error_description: 'Authentication is required',
      });
    });

    test("a resolver's ForbidImpersonation refuses an impersonating query", async () => {
      const answer = await ask('{ secret }', {
        ...as('alice', ['admins']),
        'impersonate-user': 'bob',
      });
      assert.equal(answer.errors?.[0]?.message, 'Impersonation is not allowed');
      assert.equal(answer.errors[0].extensions?.code, 'FORBIDDEN');
      assert.deepEqual(answer.errors[0].extensions?.originalError, {
        statusCode: 403,
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      });
      assert.deepEqual((await ask('{ secret }', as('alice'))).data, { secret: 'secret of alice' });
    });

    test("each field's resolver decides with its own rules, whatever the order of the fields", async () => {
      const headers = { ...as('alice', ['admins']), 'impersonate-user': 'bob' };
      for (const query of ['{ me { id by } secret }', '{ secret me { id by } }']) {
        const answer = await ask(query, headers);
        assert.deepEqual(answer.data, { me: { id: 'bob', by: 'alice' }, secret: null }, query);
        assert.deepEqual(
          answer.errors?.map((e) => [e.extensions?.code, (e as { path?: string[] }).path]),
          [['FORBIDDEN', ['secret']]],
          query,
        );
      }
    });

    test('OptionalAuth and Public work on queries', async () => {
      assert.deepEqual((await ask('{ greeting }')).data, { greeting: 'hello stranger' });
      assert.deepEqual((await ask('{ greeting }', as('dave'))).data, { greeting: 'hello dave' });
      assert.deepEqual((await ask('{ health }')).data, { health: 'ok' });
    });
  });
}

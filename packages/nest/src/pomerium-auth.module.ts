import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import {
  createPomeriumAuth,
  type PomeriumAuth,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { PomeriumAuthGuard } from './pomerium-auth.guard.js';
import { POMERIUM_AUTH, POMERIUM_AUTH_OPTIONS } from './tokens.js';

/** Options of `PomeriumAuthModule.forRootAsync`: options made by a factory, e.g. from `ConfigService`. */
export interface PomeriumAuthModuleAsyncOptions {
  /** Modules whose providers the factory injects (e.g. `ConfigModule`). */
  imports?: ModuleMetadata['imports'];
  /** Returns the options (SPEC 2a, the same object as every adapter's). */
  useFactory: (...args: never[]) => PomeriumAuthOptions | Promise<PomeriumAuthOptions>;
  /** Tokens whose values are passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
}

const authProvider: Provider = {
  provide: POMERIUM_AUTH,
  // Bad options throw PomeriumAuthConfigError here, while the app starts.
  useFactory: (options: PomeriumAuthOptions): PomeriumAuth => createPomeriumAuth(options),
  inject: [POMERIUM_AUTH_OPTIONS],
};

/**
 * Provides the core authenticator (token `POMERIUM_AUTH`), its options (`POMERIUM_AUTH_OPTIONS`)
 * and `PomeriumAuthGuard` to the whole application (a global module). Bind the guard with
 * `APP_GUARD` or `@UseGuards(PomeriumAuthGuard)`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     ConfigModule.forRoot(),
 *     PomeriumAuthModule.forRootAsync({
 *       imports: [ConfigModule],
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({
 *         jwksUrl: config.getOrThrow('POMERIUM_JWKS_URL'),
 *         audience: config.getOrThrow('POMERIUM_AUDIENCE'),
 *       }),
 *     }),
 *   ],
 *   providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class PomeriumAuthModule {
  /** The module with options given in code. */
  static forRoot(options: PomeriumAuthOptions = {}): DynamicModule {
    return PomeriumAuthModule.with([{ provide: POMERIUM_AUTH_OPTIONS, useValue: options }]);
  }

  /** The module with options from a factory (which may inject, e.g., `ConfigService`). */
  static forRootAsync(options: PomeriumAuthModuleAsyncOptions): DynamicModule {
    const optionsProvider: FactoryProvider = {
      provide: POMERIUM_AUTH_OPTIONS,
      useFactory: options.useFactory as (
        ...args: unknown[]
      ) => PomeriumAuthOptions | Promise<PomeriumAuthOptions>,
      inject: options.inject ?? [],
    };
    return PomeriumAuthModule.with([optionsProvider], options.imports);
  }

  private static with(
    providers: Provider[],
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: PomeriumAuthModule,
      global: true,
      imports,
      providers: [...providers, authProvider, PomeriumAuthGuard],
      exports: [POMERIUM_AUTH, POMERIUM_AUTH_OPTIONS, PomeriumAuthGuard],
    };
  }
}

import {
  ConfigurableModuleBuilder,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import {
  createPomeriumAuth,
  PomeriumAuthConfigError,
  type PomeriumAuth,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { PomeriumAuthGuard } from './pomerium-auth.guard.js';
import { RouteGuardsCheck } from './route-guards-check.js';
import { POMERIUM_AUTH, POMERIUM_AUTH_OPTIONS } from './tokens.js';

/**
 * A class that makes the options, for `forRootAsync({ useClass })` or `{ useExisting }`, as
 * `@nestjs/jwt`'s `JwtOptionsFactory` does.
 *
 * @example
 * ```ts
 * @Injectable()
 * class PomeriumConfig implements PomeriumAuthOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createPomeriumAuthOptions(): PomeriumAuthOptions {
 *     return { jwksUrl: this.config.getOrThrow('POMERIUM_JWKS_URL') };
 *   }
 * }
 * ```
 */
export interface PomeriumAuthOptionsFactory {
  createPomeriumAuthOptions(): PomeriumAuthOptions | Promise<PomeriumAuthOptions>;
}

/**
 * Options of `PomeriumAuthModule.forRootAsync`: one of `useFactory`, `useClass` or
 * `useExisting`, as in `@nestjs/jwt`'s `registerAsync`.
 *
 * @example
 * ```ts
 * PomeriumAuthModule.forRootAsync({ imports: [ConfigModule], useClass: PomeriumConfig });
 * PomeriumAuthModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ jwksUrl: config.getOrThrow('POMERIUM_JWKS_URL') }),
 * });
 * ```
 */
export interface PomeriumAuthModuleAsyncOptions {
  /** Modules whose providers the factory (or the factory class) injects, e.g. `ConfigModule`. */
  imports?: ModuleMetadata['imports'];
  /** Returns the options (the same object as every adapter's). */
  useFactory?: (...args: never[]) => PomeriumAuthOptions | Promise<PomeriumAuthOptions>;
  /** Tokens whose values are passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  /** A class this module instantiates (with its own injections) to make the options. */
  useClass?: Type<PomeriumAuthOptionsFactory>;
  /** An existing provider (from `imports`) that makes the options. */
  useExisting?: Type<PomeriumAuthOptionsFactory>;
}

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<PomeriumAuthOptions>({
  optionsInjectionToken: POMERIUM_AUTH_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPomeriumAuthOptions')
  .build();

const authProvider: Provider = {
  provide: POMERIUM_AUTH,
  // Bad options throw PomeriumAuthConfigError here, while the app starts.
  useFactory: (options: PomeriumAuthOptions): PomeriumAuth => createPomeriumAuth(options),
  inject: [POMERIUM_AUTH_OPTIONS],
};

/** The builder's static methods, as this class calls them. */
interface BuiltModule {
  forRoot(options: PomeriumAuthOptions): DynamicModule;
  forRootAsync(options: PomeriumAuthModuleAsyncOptions): DynamicModule;
}
const Built = ConfigurableModuleClass as unknown as BuiltModule;

/**
 * Provides the core authenticator (token `POMERIUM_AUTH`), its options (`POMERIUM_AUTH_OPTIONS`)
 * and `PomeriumAuthGuard` to the whole application (a global module). Bind the guard with
 * `APP_GUARD` or `@UseGuards(PomeriumAuthGuard)`. When the app starts, it refuses routes whose
 * decorators only `AuthGuard('pomerium')` guards (it cannot read them).
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
@Module({
  providers: [authProvider, PomeriumAuthGuard, RouteGuardsCheck],
  exports: [POMERIUM_AUTH, POMERIUM_AUTH_OPTIONS, PomeriumAuthGuard],
})
export class PomeriumAuthModule extends ConfigurableModuleClass {
  /**
   * The module with options given in code.
   *
   * @param options - the suite's one options object (see `@pomerium-auth/core`).
   * @throws {PomeriumAuthConfigError} when the app starts, for invalid options.
   */
  static forRoot(options: PomeriumAuthOptions = {}): DynamicModule {
    return { ...Built.forRoot.call(this, options), global: true };
  }

  /**
   * The module with options made by a factory, a factory class or an existing provider.
   *
   * @param options - `useFactory` (with `inject` and `imports`), `useClass` or `useExisting`:
   *   exactly one.
   * @throws {PomeriumAuthConfigError} for none or several of them; invalid options fail when
   *   the app starts.
   */
  static forRootAsync(options: PomeriumAuthModuleAsyncOptions): DynamicModule {
    const ways = [options?.useFactory, options?.useClass, options?.useExisting];
    if (ways.filter((way) => way !== undefined).length !== 1)
      throw new PomeriumAuthConfigError(
        'forRootAsync',
        'give exactly one of useFactory, useClass and useExisting',
      );
    return { ...Built.forRootAsync.call(this, options), global: true };
  }
}

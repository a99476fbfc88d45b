import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, ModulesContainer, Reflector } from '@nestjs/core';
import { PomeriumAuthConfigError } from '@pomerium-auth/core';
import { loadPassport, loadPassportRegistry } from './optional-peers.js';
import { collectRouteRules, hasRouteRules } from './route-rules.js';

/**
 * Marks a guard class (and its subclasses) as one that reads this package's route decorators.
 * `Symbol.for`, so that the ES module and CommonJS builds agree.
 */
export const HONOURS_ROUTE_RULES: unique symbol = Symbol.for(
  '@pomerium-auth/nest.honoursRouteRules',
);

/** Nest's `GUARDS_METADATA` (`@nestjs/common/constants`), where `@UseGuards` keeps its guards. */
const GUARDS_METADATA = '__guards__';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Class = Function;

/** Classes (controllers, resolvers, gateways) that carry one of this package's route decorators. */
const decoratedClasses = new Set<Class>();

/** Called by the route decorators. */
export function rememberDecoratedClass(cls: Class): void {
  decoratedClasses.add(cls);
}

function guardClass(guard: unknown): Class | undefined {
  if (typeof guard === 'function') return guard;
  if (guard && typeof guard === 'object') return guard.constructor;
  return undefined;
}

function guardsOf(target: object): Class[] {
  const guards = (Reflect.getMetadata(GUARDS_METADATA, target) ?? []) as unknown[];
  return guards.map(guardClass).filter((g): g is Class => g !== undefined);
}

function honours(guard: Class): boolean {
  return (guard as { [HONOURS_ROUTE_RULES]?: boolean })[HONOURS_ROUTE_RULES] === true;
}

/** `@nestjs/passport`'s `AuthGuard(type)` and its subclasses have these two hooks. */
function looksLikePassportGuard(guard: Class): boolean {
  const proto = guard.prototype as Record<string, unknown> | undefined;
  return (
    typeof proto?.getAuthenticateOptions === 'function' && typeof proto.handleRequest === 'function'
  );
}

/** The methods of a class, its own and inherited (as Nest's metadata scanner sees them). */
function methodsOf(cls: Class): Array<[string, object]> {
  const methods = new Map<string, object>();
  for (let proto = cls.prototype as object | null; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function' && !methods.has(name))
        methods.set(name, descriptor.value as object);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...methods];
}

/**
 * `@nestjs/passport`'s plain guards for Pomerium strategies: `AuthGuard('pomerium')`, and
 * `AuthGuard(name)` for every other name a `PomeriumStrategy` is registered under. `AuthGuard`
 * is memoized by name: these are the very classes the app's guards are or extend.
 */
async function plainPomeriumGuards(): Promise<Class[]> {
  const { AuthGuard } = await loadPassport();
  const { _strategies: strategies } = await loadPassportRegistry();
  const names = new Set(['pomerium']);
  for (const [name, strategy] of Object.entries(strategies ?? {})) {
    const auth = (strategy as { auth?: { authenticate?: unknown } } | undefined)?.auth;
    if (typeof auth?.authenticate === 'function') names.add(name);
  }
  return [...names].map((name) => AuthGuard(name));
}

/**
 * The handlers (`Controller.method`) whose route decorators would be ignored: guarded by
 * `@nestjs/passport`'s `AuthGuard('pomerium')` (or a subclass of it that is not
 * `PomeriumPassportGuard`; or `AuthGuard(name)` of a `PomeriumStrategy` registered under
 * another name), and by no guard that reads the decorators.
 */
export async function findIgnoredRouteRules(
  classes: Iterable<Class>,
  globalGuards: readonly unknown[],
): Promise<string[]> {
  const reflector = new Reflector();
  const global = globalGuards.map(guardClass).filter((g): g is Class => g !== undefined);
  const suspects: Array<{ where: string; guards: Class[] }> = [];
  for (const cls of classes) {
    const classGuards = guardsOf(cls);
    for (const [name, handler] of methodsOf(cls)) {
      if (!hasRouteRules(collectRouteRules(reflector, handler, cls))) continue;
      const guards = [...global, ...classGuards, ...guardsOf(handler)];
      // Every guard must let a request through: one that applies the rules is enough.
      if (guards.some(honours)) continue;
      const passportGuards = guards.filter(looksLikePassportGuard);
      if (passportGuards.length)
        suspects.push({ where: `${cls.name}.${name}`, guards: passportGuards });
    }
  }
  if (suspects.length === 0) return [];
  const plain = await plainPomeriumGuards();
  const isPlain = (g: Class) => plain.some((p) => g === p || g.prototype instanceof p);
  return suspects.filter((s) => s.guards.some(isPlain)).map((s) => s.where);
}

/** Throws when {@link findIgnoredRouteRules} finds any. */
export async function assertRouteRulesHonoured(
  classes: Iterable<Class>,
  globalGuards: readonly unknown[],
): Promise<void> {
  const ignored = await findIgnoredRouteRules(classes, globalGuards);
  if (ignored.length === 0) return;
  throw new PomeriumAuthConfigError(
    'guards',
    `${ignored.join(', ')}: AuthGuard('pomerium') from @nestjs/passport does not read ` +
      "@pomerium-auth/nest's route decorators, so they would be ignored there; guard with " +
      "PomeriumPassportGuard from '@pomerium-auth/nest/passport', or PomeriumAuthGuard",
  );
}

/** The parts of Nest's module container the check reads (stable from Nest 10 to 12). */
interface ContainerModule {
  controllers: Map<unknown, { metatype?: unknown }>;
  providers: Map<unknown, { metatype?: unknown; instance?: unknown }>;
}

/**
 * Provided by `PomeriumAuthModule`: when the app starts, refuses it if a route decorator of this
 * package sits where only `AuthGuard('pomerium')` guards (see {@link findIgnoredRouteRules}).
 * Guards bound with `APP_GUARD` count; those given to `app.useGlobalGuards()` are not seen.
 */
@Injectable()
export class RouteGuardsCheck implements OnApplicationBootstrap {
  constructor(@Inject(ModulesContainer) private readonly modules: Map<string, ContainerModule>) {}

  onApplicationBootstrap(): Promise<void> {
    const inApp = new Set<unknown>();
    const globalGuards: unknown[] = [];
    for (const module of this.modules.values()) {
      for (const wrapper of module.controllers.values()) inApp.add(wrapper.metatype);
      for (const [token, wrapper] of module.providers) {
        inApp.add(wrapper.metatype);
        // Nest registers each APP_GUARD under a token of its own: `APP_GUARD (UUID: ...)`.
        if (typeof token === 'string' && token.startsWith(APP_GUARD))
          globalGuards.push(wrapper.instance ?? wrapper.metatype);
      }
    }
    return assertRouteRulesHonoured(
      [...decoratedClasses].filter((cls) => inApp.has(cls)),
      globalGuards,
    );
  }
}

/**
 * `@pomerium-auth/passport`'s `PomeriumStrategy` cannot depend on this package, yet it is the one
 * part of a Passport-only Nest app that Nest starts: when it is a provider, its
 * `onApplicationBootstrap` calls this, if this package is loaded. It cannot see the app's
 * modules, so it checks every decorated class this process has loaded.
 */
(globalThis as Record<symbol, unknown>)[Symbol.for('@pomerium-auth/nest.checkRouteGuards')] = () =>
  assertRouteRulesHonoured(decoratedClasses, []);

import type { ExecutionContext } from '@nestjs/common';

/** What this package uses of `@nestjs/graphql`. */
export interface GraphqlPeer {
  GqlExecutionContext: {
    create(context: ExecutionContext): { getContext<T = unknown>(): T };
  };
}

/** What this package uses of `@nestjs/websockets`. */
export interface WebsocketsPeer {
  WsException: new (error: string | object) => Error;
}

/** What this package uses of `@nestjs/passport`. */
export interface PassportPeer {
  AuthGuard: (type?: string) => abstract new (...args: never[]) => object;
}

/**
 * Loads an optional peer on first need, so that apps without it never load it. The specifier is
 * a variable: the package builds without the peers' types, and the CommonJS build turns the
 * import into a `require` (which loads NestJS 12's ES modules on Node 20.19+).
 */
async function load<T>(specifier: string, needed: keyof T, why: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(`@pomerium-auth/nest: ${why}, but ${specifier} could not be loaded`, {
      cause,
    });
  }
  // A CommonJS module imported from ESM may hold its exports under `default` only.
  const exports = (needed in mod ? mod : (mod.default ?? {})) as Record<string, unknown>;
  if (!(needed in exports))
    throw new Error(`@pomerium-auth/nest: ${specifier} has no ${String(needed)}`);
  return exports as T;
}

/** A peer loaded once, on first need; a failed load is tried again at the next need. */
class PeerOnDemand<T> {
  #loading: Promise<T> | undefined;
  #loaded: T | undefined;

  constructor(
    private readonly specifier: string,
    private readonly needed: keyof T,
    private readonly why: string,
  ) {}

  load(): Promise<T> {
    this.#loading ??= load<T>(this.specifier, this.needed, this.why).then(
      (peer) => (this.#loaded = peer),
      (err: unknown) => {
        this.#loading = undefined;
        throw err;
      },
    );
    return this.#loading;
  }

  get loaded(): T | undefined {
    return this.#loaded;
  }
}

const graphql = new PeerOnDemand<GraphqlPeer>(
  '@nestjs/graphql',
  'GqlExecutionContext',
  'a GraphQL request reached the guard',
);
const websockets = new PeerOnDemand<WebsocketsPeer>(
  '@nestjs/websockets',
  'WsException',
  'a WebSocket message reached the guard',
);

/** `@nestjs/graphql`, loaded when the first GraphQL request reaches a guard. */
export function loadGraphql(): Promise<GraphqlPeer> {
  return graphql.load();
}

/**
 * `@nestjs/graphql` if a guard has loaded it. Parameter decorators run after the guards, and
 * synchronously: when no guard loaded it, no guard decided this request either.
 */
export function loadedGraphql(): GraphqlPeer | undefined {
  return graphql.loaded;
}

/** `@nestjs/websockets`, loaded when the first WebSocket message reaches a guard. */
export function loadWebsockets(): Promise<WebsocketsPeer> {
  return websockets.load();
}

/** What this package reads of Passport's default instance: its strategies by name. */
export interface PassportRegistry {
  _strategies: Record<string, unknown>;
}

/** `@nestjs/passport`, loaded at start-up only when a guard on a route looks like its `AuthGuard`. */
export function loadPassport(): Promise<PassportPeer> {
  return load<PassportPeer>('@nestjs/passport', 'AuthGuard', 'a route is guarded by AuthGuard');
}

/** `passport`'s default instance (the module itself), loaded with {@link loadPassport}. */
export function loadPassportRegistry(): Promise<PassportRegistry> {
  return load<PassportRegistry>('passport', '_strategies', 'a route is guarded by AuthGuard');
}

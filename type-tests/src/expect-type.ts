// Type assertions checked by the compiler alone: nothing here runs. `expectTypeOf(value)` (or
// `expectTypeOf<T>()`) then `.toEqualTypeOf<U>()` compiles only when T and U are the same type,
// `.toMatchTypeOf<U>()` only when T is assignable to U. A failed assertion is a compile error
// on its line ("Expected 3 arguments"; the missing arguments' types name both types). Written
// here rather than taken from expect-type or tsd: these two checks are all the tests need.

/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The argument list a failed check demands: impossible to give, and it names both types. */
type Mismatch<Actual, Expected> = [error: 'the types differ', actual: Actual, expected: Expected];

export interface TypeExpectation<Actual> {
  toEqualTypeOf<Expected>(
    ...mismatch: Equal<Actual, Expected> extends true ? [] : Mismatch<Actual, Expected>
  ): void;
  toMatchTypeOf<Expected>(
    ...mismatch: [Actual] extends [Expected] ? [] : Mismatch<Actual, Expected>
  ): void;
}

/** Starts a type assertion on a value's type (undefined kept), or on `Actual` given no value. */
export declare function expectTypeOf<Actual>(value: Actual): TypeExpectation<Actual>;
export declare function expectTypeOf<Actual>(): TypeExpectation<Actual>;

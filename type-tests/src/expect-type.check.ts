// The helper itself can fail: each line below must not compile.
import { expectTypeOf } from './expect-type.js';

// @ts-expect-error an optional undefined is a difference
expectTypeOf<string>().toEqualTypeOf<string | undefined>();
// @ts-expect-error an extra optional property is a difference
expectTypeOf<{ a: 1 }>().toEqualTypeOf<{ a: 1; b?: 2 }>();
// @ts-expect-error unknown is not never
expectTypeOf<unknown>().toEqualTypeOf<never>();
// @ts-expect-error a readonly property is a difference
expectTypeOf<{ readonly a: 1 }>().toEqualTypeOf<{ a: 1 }>();
// @ts-expect-error a value keeps its undefined
expectTypeOf('x' as string | undefined).toEqualTypeOf<string>();
// @ts-expect-error not assignable
expectTypeOf<string>().toMatchTypeOf<number>();

expectTypeOf<'a'>().toMatchTypeOf<string>();
expectTypeOf('x' as string | undefined).toEqualTypeOf<string | undefined>();

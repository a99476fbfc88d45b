/**
 * `@pomerium-auth/nest/passport`: `PomeriumPassportGuard`, `@nestjs/passport`'s
 * `AuthGuard('pomerium')` made to read this package's route decorators and keep the suite's
 * answers. Needs `@nestjs/passport`, `passport` and `@pomerium-auth/passport`, which the main
 * entry point does not load.
 *
 * @packageDocumentation
 */
export { PomeriumPassportGuard, pomeriumPassportGuard } from './pomerium-passport.guard.js';

// The same service with Passport instead: @nestjs/passport's AuthGuard('pomerium') over
// PomeriumStrategy, mapping Pomerium principals to the app's own users.
import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UseFilters,
  UseGuards,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { PomeriumAuthExceptionFilter } from '@pomerium-auth/nest';
import {
  PomeriumStrategy,
  pomeriumAuthErrorOf,
  type Identity,
  type PomeriumAuthOptions,
} from '@pomerium-auth/passport';

export interface Member {
  id: string;
  plan: 'free' | 'pro';
}
const members = new Map<string, Member>([['alice', { id: 'alice', plan: 'pro' }]]);

const STRATEGY_OPTIONS = 'STRATEGY_OPTIONS';

@Injectable()
export class PomeriumPassportStrategy extends PassportStrategy(PomeriumStrategy, 'pomerium') {
  constructor(@Inject(STRATEGY_OPTIONS) options: PomeriumAuthOptions) {
    super(options);
  }
  // Unknown principals are refused: 401 invalid_token.
  validate(identity: Identity): Member | false {
    return members.get(identity.user.id) ?? false;
  }
}

/** AuthGuard('pomerium') that keeps the strategy's status (400/401/403/503) and headers. */
@Injectable()
export class PomeriumPassportGuard extends AuthGuard('pomerium') {
  override handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (user) return user;
    throw pomeriumAuthErrorOf(context.switchToHttp().getRequest<object>()) ?? err;
  }
}

@Controller('members')
@UseGuards(PomeriumPassportGuard)
@UseFilters(PomeriumAuthExceptionFilter)
export class MembersController {
  @Get('me')
  me(@Req() req: { user: Member }) {
    return req.user;
  }
}

@Module({})
export class PassportAppModule {
  static register(options: PomeriumAuthOptions = {}): DynamicModule {
    return {
      module: PassportAppModule,
      controllers: [MembersController],
      providers: [{ provide: STRATEGY_OPTIONS, useValue: options }, PomeriumPassportStrategy],
    };
  }
}

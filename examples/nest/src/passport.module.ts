// The same service with Passport instead: PomeriumStrategy maps Pomerium principals to the
// app's own members, and PomeriumPassportGuard (@nestjs/passport's AuthGuard('pomerium') that
// reads this suite's route decorators) guards the routes.
import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ForbidImpersonation } from '@pomerium-auth/nest';
import { PomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { PomeriumStrategy, type Identity, type PomeriumAuthOptions } from '@pomerium-auth/passport';

export interface Member {
  id: string;
  plan: 'free' | 'pro';
}
const members = new Map<string, Member>([
  ['alice', { id: 'alice', plan: 'pro' }],
  ['bob', { id: 'bob', plan: 'free' }],
]);

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

@Controller('members')
@UseGuards(PomeriumPassportGuard)
export class MembersController {
  @Get('me')
  me(@Req() req: { user: Member }) {
    return req.user;
  }

  // Read by PomeriumPassportGuard; the plain AuthGuard('pomerium') would not read it, so the
  // app would refuse to start with it here.
  @ForbidImpersonation()
  @Get('me/billing')
  billing(@Req() req: { user: Member }) {
    return { plan: req.user.plan };
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

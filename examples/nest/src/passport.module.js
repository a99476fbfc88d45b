var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
var PassportAppModule_1;
// The same service with Passport instead: @nestjs/passport's AuthGuard('pomerium') over
// PomeriumStrategy, mapping Pomerium principals to the app's own users.
import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { PomeriumAuthExceptionFilter } from '@pomerium-auth/nest';
import { PomeriumStrategy, pomeriumAuthErrorOf } from '@pomerium-auth/passport';
const members = new Map([['alice', { id: 'alice', plan: 'pro' }]]);
const STRATEGY_OPTIONS = 'STRATEGY_OPTIONS';
let PomeriumPassportStrategy = class PomeriumPassportStrategy extends PassportStrategy(PomeriumStrategy, 'pomerium') {
    constructor(options) {
        super(options);
    }
    // Unknown principals are refused: 401 invalid_token.
    validate(identity) {
        return members.get(identity.user.id) ?? false;
    }
};
PomeriumPassportStrategy = __decorate([
    Injectable(),
    __param(0, Inject(STRATEGY_OPTIONS)),
    __metadata("design:paramtypes", [Object])
], PomeriumPassportStrategy);
export { PomeriumPassportStrategy };
/** AuthGuard('pomerium') that keeps the strategy's status (400/401/403/503) and headers. */
let PomeriumPassportGuard = class PomeriumPassportGuard extends AuthGuard('pomerium') {
    handleRequest(err, user, _info, context) {
        if (user)
            return user;
        throw pomeriumAuthErrorOf(context.switchToHttp().getRequest()) ?? err;
    }
};
PomeriumPassportGuard = __decorate([
    Injectable()
], PomeriumPassportGuard);
export { PomeriumPassportGuard };
let MembersController = class MembersController {
    me(req) {
        return req.user;
    }
};
__decorate([
    Get('me'),
    __param(0, Req()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", void 0)
], MembersController.prototype, "me", null);
MembersController = __decorate([
    Controller('members'),
    UseGuards(PomeriumPassportGuard),
    UseFilters(PomeriumAuthExceptionFilter)
], MembersController);
export { MembersController };
let PassportAppModule = PassportAppModule_1 = class PassportAppModule {
    static register(options = {}) {
        return { module: PassportAppModule_1, controllers: [MembersController], providers: [{ provide: STRATEGY_OPTIONS, useValue: options }, PomeriumPassportStrategy] };
    }
};
PassportAppModule = PassportAppModule_1 = __decorate([
    Module({})
], PassportAppModule);
export { PassportAppModule };
//# sourceMappingURL=passport.module.js.map
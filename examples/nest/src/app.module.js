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
var AppModule_1;
// A NestJS service behind Pomerium: every route needs a Pomerium identity (global guard),
// except the health check; support staff may act as customers, but never on /account/password.
import 'reflect-metadata';
import { Controller, Get, Module, Post, HttpCode } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AllowImpersonation, EffectiveUser, ForbidImpersonation, InitiatingUser, PomeriumAuthGuard, PomeriumAuthModule, PomeriumIdentity, Public, } from '@pomerium-auth/nest';
let HealthController = class HealthController {
    health() {
        return { ok: true };
    }
};
__decorate([
    Public(),
    Get('health'),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", void 0)
], HealthController.prototype, "health", null);
HealthController = __decorate([
    Controller()
], HealthController);
export { HealthController };
let AccountController = class AccountController {
    account(user, initiator, identity) {
        return { user: user.id, groups: user.groups, actingFor: identity.impersonating ? user.id : null, by: initiator.id };
    }
    // Sensitive: nobody changes a password while acting as someone else.
    changePassword() { }
};
__decorate([
    Get(),
    __param(0, EffectiveUser()),
    __param(1, InitiatingUser()),
    __param(2, PomeriumIdentity()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, Object, Object]),
    __metadata("design:returntype", void 0)
], AccountController.prototype, "account", null);
__decorate([
    Post('password'),
    HttpCode(204),
    ForbidImpersonation(),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", void 0)
], AccountController.prototype, "changePassword", null);
AccountController = __decorate([
    Controller('account')
], AccountController);
export { AccountController };
let TicketsController = class TicketsController {
    list(user) {
        return { tickets: [], owner: user.id };
    }
};
__decorate([
    Get(),
    __param(0, EffectiveUser()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", void 0)
], TicketsController.prototype, "list", null);
TicketsController = __decorate([
    Controller('tickets')
    // On this controller only the helpdesk may impersonate, and only to read.
    ,
    AllowImpersonation({ name: 'helpdesk-read', initiators: ['group:helpdesk'], targets: ['customer-*'], readOnly: true })
], TicketsController);
export { TicketsController };
let AppModule = AppModule_1 = class AppModule {
    static register(options = {}) {
        return {
            module: AppModule_1,
            imports: [
                PomeriumAuthModule.forRoot({
                    // jwksUrl, audience and the shared secret may also come from POMERIUM_* variables.
                    impersonation: { grants: [{ name: 'support', initiators: ['group:support'], targets: ['customer-*'] }], protect: ['group:admins'] },
                    ...options,
                }),
            ],
            controllers: [HealthController, AccountController, TicketsController],
            providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
        };
    }
};
AppModule = AppModule_1 = __decorate([
    Module({})
], AppModule);
export { AppModule };
//# sourceMappingURL=app.module.js.map
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginLimiter } from './login-limiter';
import { LoginThrottleRepository } from './login-throttle.repository';
import { OidcClient } from './oidc/oidc-client';
import { OidcLoginController } from './oidc/oidc-login.controller';
import { OidcLoginService } from './oidc/oidc-login.service';
import { OidcProviderController } from './oidc/oidc-provider.controller';
import { OidcProviderService } from './oidc/oidc-provider.service';
import { OidcRepository } from './oidc/oidc.repository';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  controllers: [AuthController, SessionsController, OidcLoginController, OidcProviderController],
  providers: [
    AuthRepository,
    AuthService,
    LoginThrottleRepository,
    LoginLimiter,
    SessionsService,
    OidcRepository,
    OidcClient,
    OidcProviderService,
    OidcLoginService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}

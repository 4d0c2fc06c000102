import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginLimiter } from './login-limiter';
import { LoginThrottleRepository } from './login-throttle.repository';

@Module({
  controllers: [AuthController],
  providers: [AuthRepository, AuthService, LoginThrottleRepository, LoginLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}

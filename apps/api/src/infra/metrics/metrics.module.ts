import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { MetricsRepository } from './metrics.repository';

/** Prometheus metrics (infrastructure): features record through Metrics, /metrics reads it. */
@Global()
@Module({ providers: [Metrics, MetricsRepository], exports: [Metrics] })
export class MetricsModule {}

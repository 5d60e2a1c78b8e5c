/** Core's Log and MetricsSink on top of Powertools (the handlers' structured logs and CloudWatch EMF metrics). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log, MetricsSink } from '../../core/app/deps.ts';

export const METRICS_NAMESPACE = 'MlpSweep';

/** Powertools objects of one handler module (one per Lambda function). */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function observability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

/** Core's MetricsSink on top of Powertools Metrics (units are the same CloudWatch strings). */
export function metricsSink(metrics: Metrics): MetricsSink {
  return {
    record(name, value, unit) {
      metrics.addMetric(name, unit, value);
    },
  };
}

/** Core's Log on top of the Powertools Logger (structured JSON; `extra` becomes top-level keys). */
export function powertoolsLog(logger: Logger): Log {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (extra) logger[level](message, extra);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

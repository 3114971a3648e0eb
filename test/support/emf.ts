import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../lambda/reconciler/observability/names';

/** Captures the EMF documents Powertools writes (to console.log under POWERTOOLS_DEV) while `run` publishes. */
export function emitted(run: (metrics: Metrics) => void): Record<string, unknown>[] {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    run(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'svc' }));
    return log.mock.calls.map(([line]) => JSON.parse(String(line)));
  } finally {
    log.mockRestore();
    delete process.env.POWERTOOLS_DEV;
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  }
}

import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DIMENSION, FINDINGS_METRIC } from '../observability/names';
import { ACCOUNT_EXCEPTION_REASONS, RULE_EXCEPTION_REASONS, SCAN_CONFIGURATION_EXCEPTION_REASONS } from './exception';
import type { FindingsReport } from './sync';

/** Publishes the findings step's metrics as EMF. A dry run made no call and publishes nothing. */
export function publishFindingsMetrics(metrics: Metrics, report: FindingsReport): void {
  if (report.dryRun) return;
  metrics.addMetric(FINDINGS_METRIC.findingsImported, MetricUnit.Count, report.imported);
  metrics.addMetric(FINDINGS_METRIC.findingsArchived, MetricUnit.Count, report.archived);
  metrics.addMetric(FINDINGS_METRIC.findingsFailed, MetricUnit.Count, report.failed);
  metrics.addMetric(FINDINGS_METRIC.findingsRegionErrors, MetricUnit.Count, report.regionErrors.length);
  metrics.addMetric(FINDINGS_METRIC.securityHubCalls, MetricUnit.Count, report.calls);
  metrics.addMetric(
    FINDINGS_METRIC.regionsWithoutSecurityHub,
    MetricUnit.Count,
    report.regionsWithoutSecurityHub.length,
  );
  metrics.publishStoredMetrics();
  for (const region of report.regionsWithoutSecurityHub) {
    metrics.addDimension(DIMENSION.region, region);
    metrics.addMetric(FINDINGS_METRIC.securityHubNotEnabled, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
  // Every reason, zeros included, so that a line on the dashboard falls to 0 instead of stopping.
  for (const reason of [
    ...ACCOUNT_EXCEPTION_REASONS,
    ...SCAN_CONFIGURATION_EXCEPTION_REASONS,
    ...RULE_EXCEPTION_REASONS,
  ]) {
    metrics.addDimension(DIMENSION.reason, reason);
    metrics.addMetric(FINDINGS_METRIC.openExceptions, MetricUnit.Count, report.exceptions[reason] ?? 0);
    metrics.publishStoredMetrics();
  }
}

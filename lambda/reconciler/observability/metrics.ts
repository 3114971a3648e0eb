import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Outcome } from '../model';
import type { CoverageSummary } from '../coverage/measure';
import type { RunSummary } from '../run/summary';
import type { ScanConfigurationTotals } from '../scan-configuration/summary';
import { DIMENSION, METRIC, SCAN_CONFIGURATION_METRIC } from './names';

/** Skips of accounts deep inspection applies to; the other skips mean it cannot, or that the run did not look (UNMANAGED). */
const ELIGIBLE_SKIPS = new Set(['DEEP_INSPECTION_PENDING', 'DEACTIVATION_HELD_BY_GUARDRAIL']);

function isEligible(outcome: Outcome): boolean {
  if (outcome.kind === 'SKIPPED') return ELIGIBLE_SKIPS.has(outcome.reason);
  if (outcome.kind === 'FAILED') return outcome.reason === 'UPDATE_FAILED';
  return true;
}

function isActiveAfterRun(outcome: Outcome): boolean {
  return (
    (outcome.kind === 'COMPLIANT' && outcome.state === 'ACTIVATED') ||
    outcome.kind === 'ACTIVATE' ||
    (outcome.kind === 'WOULD_DEACTIVATE' && outcome.from === 'ACTIVATED')
  );
}

/**
 * Publishes what the alarms and the dashboard read, as EMF. A dry run publishes nothing:
 * it changed nothing, and must not count as the successful run the staleness alarm waits for.
 */
export function publishRunMetrics(
  metrics: Metrics,
  run: { summary: RunSummary; outcomes: readonly Outcome[]; succeeded: boolean; durationMs: number },
): void {
  if (run.summary.dryRun) return;
  metrics.addMetric(METRIC.runDuration, MetricUnit.Milliseconds, run.durationMs);
  metrics.addMetric(METRIC.guardrailTripped, MetricUnit.Count, run.summary.guardrail.tripped ? 1 : 0);
  if (run.succeeded) metrics.addMetric(METRIC.runsCompleted, MetricUnit.Count, 1);
  // Every run says how many, 0 included, so the alarm goes back to OK once the region is enabled or removed.
  const notEnabled = run.summary.regions.filter((r) => r.notEnabled && r.errorVerdict === 'PERMANENT').length;
  metrics.addMetric(METRIC.regionsNotEnabled, MetricUnit.Count, notEnabled);
  const notAdministrator = run.summary.regions.filter((r) => r.notDelegatedAdministrator).length;
  metrics.addMetric(METRIC.regionsNotDelegatedAdministrator, MetricUnit.Count, notAdministrator);
  const notGranted = run.summary.findings !== undefined && 'notGranted' in run.summary.findings;
  metrics.addMetric(METRIC.findingsNotGranted, MetricUnit.Count, notGranted ? 1 : 0);
  const warnings = run.summary.warnings;
  metrics.addMetric(METRIC.expiringRules, MetricUnit.Count, warnings.filter((w) => w.kind === 'EXPIRING_RULE').length);
  metrics.addMetric(METRIC.policyWarnings, MetricUnit.Count, warnings.length);
  if (run.summary.scanConfiguration) addScanConfigurationMetrics(metrics, run.summary.scanConfiguration);
  metrics.publishStoredMetrics();

  // One EMF document per dimension set: publishing clears the dimensions added since the last publish.
  for (const record of regionTotals(run)) {
    if (record.coverage === undefined) continue;
    metrics.addDimension(DIMENSION.region, record.region);
    metrics.addMetric(METRIC.coverage, MetricUnit.Percent, record.coverage);
    metrics.publishStoredMetrics();
  }
}

/**
 * The run's scan configuration counts (every region together), 0 included: published only when the policy
 * manages scan configuration, so that a policy managing none publishes exactly the series it did before.
 */
function addScanConfigurationMetrics(metrics: Metrics, totals: ScanConfigurationTotals): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count(SCAN_CONFIGURATION_METRIC.updated, totals.updated);
  count(SCAN_CONFIGURATION_METRIC.wouldUpdate, totals.wouldUpdate);
  count(SCAN_CONFIGURATION_METRIC.failed, totals.failed);
  count(SCAN_CONFIGURATION_METRIC.narrowingHeld, totals.skippedByReason.NARROWING_HELD_BY_GUARDRAIL ?? 0);
  count(SCAN_CONFIGURATION_METRIC.pending, totals.skippedByReason.SCAN_CONFIGURATION_PENDING ?? 0);
  count(SCAN_CONFIGURATION_METRIC.vmScannerActivated, totals.vmScanner.ACTIVATED);
  count(SCAN_CONFIGURATION_METRIC.vmScannerDeactivated, totals.vmScanner.DEACTIVATED);
  count(SCAN_CONFIGURATION_METRIC.vmScannerFailed, totals.vmScanner.FAILED);
  count(SCAN_CONFIGURATION_METRIC.scanModeAgentBased, totals.scanMode.EC2_SSM_AGENT_BASED);
  count(SCAN_CONFIGURATION_METRIC.scanModeHybrid, totals.scanMode.EC2_HYBRID);
}

/** One region's counts after a run: the `region totals` log line, which the dashboard's Logs Insights widgets read. */
export interface RegionTotals {
  readonly region: string;
  readonly totals: RunSummary['totals'];
  readonly skipped: RunSummary['regions'][number]['skipped'];
  /** Accounts whose deep inspection is ACTIVATED once the run is done. */
  readonly deepInspectionActive: number;
  /** Accounts deep inspection can apply to: active, Inspector members, EC2 scanning enabled. */
  readonly eligible: number;
  /** deepInspectionActive / eligible in percent; absent when none is eligible. */
  readonly coverage?: number;
  /**
   * The region's scan configuration counts (by kind, write, VM scanner and scan mode as read, skips by reason),
   * when the policy manages scan configuration: what the dashboard's scan configuration graphs read.
   */
  readonly scanConfiguration?: ScanConfigurationTotals;
}

/** Each region's counts from a run's summary and outcomes. Pure. */
export function regionTotals(run: { summary: RunSummary; outcomes: readonly Outcome[] }): RegionTotals[] {
  return run.summary.regions.map((region) => {
    const outcomes = run.outcomes.filter((outcome) => outcome.region === region.region);
    const active = outcomes.filter(isActiveAfterRun).length;
    const eligible = outcomes.filter(isEligible).length;
    return {
      region: region.region,
      totals: region.totals,
      skipped: region.skipped,
      deepInspectionActive: active,
      eligible,
      ...(eligible > 0 ? { coverage: (100 * active) / eligible } : {}),
      ...(region.scanConfiguration === undefined ? {} : { scanConfiguration: region.scanConfiguration }),
    };
  });
}

/** Publishes a coverage measurement: per region its counts, effective coverage and reasons; and the regions below the minimum. */
export function publishCoverageMetrics(metrics: Metrics, summary: CoverageSummary): void {
  metrics.addMetric(METRIC.coverageMeasured, MetricUnit.Count, 1);
  metrics.addMetric(METRIC.regionsBelowCoverageMinimum, MetricUnit.Count, summary.regionsBelowMinimum.length);
  metrics.publishStoredMetrics();
  for (const region of summary.regions) {
    if (region.error !== undefined) continue;
    metrics.addDimension(DIMENSION.region, region.region);
    metrics.addMetric(METRIC.instancesDeepInspected, MetricUnit.Count, region.totals.deepInspected);
    metrics.addMetric(METRIC.instancesFixable, MetricUnit.Count, region.totals.fixable);
    metrics.addMetric(METRIC.instancesExpected, MetricUnit.Count, region.totals.expected);
    if (region.totals.effectivePercent !== undefined) {
      metrics.addMetric(METRIC.effectiveCoverage, MetricUnit.Percent, region.totals.effectivePercent);
    }
    metrics.publishStoredMetrics();
    for (const [reason, count] of Object.entries(region.notDeepInspected)) {
      metrics.addDimensions({ [DIMENSION.region]: region.region, [DIMENSION.reason]: reason });
      metrics.addMetric(METRIC.instancesNotDeepInspected, MetricUnit.Count, count);
      metrics.publishStoredMetrics();
    }
  }
}

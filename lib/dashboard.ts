import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DIMENSION,
  FINDINGS_METRIC,
  METRIC,
  METRICS_NAMESPACE,
  REGION_TOTALS_MESSAGE,
  SCAN_CONFIGURATION_METRIC,
  SKIP_REASONS,
} from '../lambda/reconciler/constructs-entry';
import { reconcilerMetric } from './alarms';

export interface ReconcilerDashboardProps {
  readonly function: lambda.IFunction;
  /** The function's log group: its `region totals` lines are the per-region graphs' data (Logs Insights). */
  readonly logGroup: logs.ILogGroup;
  readonly failedAccounts: sqs.IQueue;
  /** How often the reconcile schedule runs: the period of the run's graphs. */
  readonly period: Duration;
  /** How often effective coverage is measured (daily by default): the period of the coverage graphs. */
  readonly coveragePeriod: Duration;
  /** The stack grants the findings step (securityHubFindings): graph the open exceptions and the findings. @default false */
  readonly securityHubFindings?: boolean;
}

/**
 * Coverage at a glance: deep inspection activated / eligible per region over time, changes, failures,
 * skips, duration. Every per-region graph is a metric search, not a list fixed at synth: a region
 * added to the policy in SSM later shows as soon as a run publishes it.
 */
export class ReconcilerDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ReconcilerDashboardProps) {
    super(scope, id);
    const { period, coveragePeriod } = props;
    /** Every series of a metric over these dimensions, as a search: labelled by their values (the empty label). */
    const search = (metricName: string, dimensions: readonly string[], over: Duration = period) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${[METRICS_NAMESPACE, ...dimensions, 'service'].join(',')}} MetricName="${metricName}"', 'Maximum', ${over.toSeconds()})`,
        label: '',
        period: over,
      });
    const everyRegion = (metricName: string) => search(metricName, [DIMENSION.region]);
    /**
     * A Logs Insights graph of the runs' `region totals` lines: what per-region metrics used to draw, at no
     * metric cost (docs/reference.md#cost). Summed over the regions a run; the table below has each region.
     */
    const fromRegionLines = (title: string, fields: readonly (readonly [string, string])[]) =>
      new cloudwatch.LogQueryWidget({
        title,
        logGroupNames: [props.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.LINE,
        queryLines: [
          `filter message = "${REGION_TOTALS_MESSAGE}"`,
          `stats ${fields.map(([field, label]) => `sum(${field}) as ${label}`).join(', ')} by bin(${period.toSeconds()}s)`,
        ],
        width: 12,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Deep inspection coverage: activated / eligible (%)',
        left: [everyRegion(METRIC.coverage)],
        leftYAxis: { min: 0, max: 100 },
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Effective coverage: instances deep-inspected / those it could reach, ACTIVATED accounts (%)',
        // A metric published once a coverage measurement: searched at the run's period, most periods are empty.
        left: [search(METRIC.effectiveCoverage, [DIMENSION.region], coveragePeriod)],
        leftYAxis: { min: 0, max: 100 },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Instances not deep-inspected, by region and reason',
        left: [search(METRIC.instancesNotDeepInspected, [DIMENSION.reason, DIMENSION.region], coveragePeriod)],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      fromRegionLines('Changes per run, all regions (Logs Insights)', [
        ['totals.activated', 'activated'],
        ['totals.deactivated', 'deactivated'],
      ]),
      new cloudwatch.GraphWidget({
        title: 'Failed-accounts queue (the failures per run: the graph below)',
        left: [
          props.failedAccounts.metricApproximateNumberOfMessagesVisible({ period, label: 'failed-accounts queue' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      fromRegionLines('Failures and report-only mismatches per run, all regions (Logs Insights)', [
        ['totals.failed', 'failed'],
        ['totals.wouldActivate', 'would_activate'],
        ['totals.wouldDeactivate', 'would_deactivate'],
      ]),
      new cloudwatch.GraphWidget({
        title: 'Policy: rules expiring soon, lint warnings',
        left: [
          reconcilerMetric(METRIC.expiringRules, {
            period,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'expiring rules',
          }),
          reconcilerMetric(METRIC.policyWarnings, { period, statistic: cloudwatch.Stats.MAXIMUM, label: 'warnings' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      fromRegionLines(
        'Skipped by reason per run, all regions (Logs Insights)',
        SKIP_REASONS.map((reason) => [`skipped.${reason}`, reason] as const),
      ),
      new cloudwatch.GraphWidget({
        title: 'Runs',
        left: [
          reconcilerMetric(METRIC.runDuration, { period, statistic: cloudwatch.Stats.MAXIMUM, label: 'duration (ms)' }),
        ],
        right: [
          reconcilerMetric(METRIC.runsCompleted, { period, statistic: cloudwatch.Stats.SUM, label: 'completed' }),
          props.function.metricErrors({ period, label: 'errors' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Each region at its last run (Logs Insights)',
        logGroupNames: [props.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter message = "${REGION_TOTALS_MESSAGE}"`,
          'stats latest(coverage) as coverage_percent, latest(deepInspectionActive) as active, latest(eligible) as eligible, latest(totals.compliant) as compliant, latest(totals.activated) as activated, latest(totals.deactivated) as deactivated, latest(totals.skipped) as skipped, latest(totals.failed) as failed by region',
          'sort region asc',
        ],
        width: 24,
      }),
    );
    this.addScanConfiguration(props);
    if (props.securityHubFindings) {
      const perRun = (metricName: string, label: string) =>
        reconcilerMetric(metricName, { period, statistic: cloudwatch.Stats.MAXIMUM, label });
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Open exceptions by reason: the Security Hub findings each run leaves open',
          // Every reason is published each run, zeros included, so a line falls to 0 rather than stopping.
          left: [search(FINDINGS_METRIC.openExceptions, [DIMENSION.reason])],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title:
            'Security Hub findings per run: imported, archived (left); refused, regions not synced or without Security Hub (right)',
          left: [
            perRun(FINDINGS_METRIC.findingsImported, 'imported'),
            perRun(FINDINGS_METRIC.findingsArchived, 'archived'),
          ],
          right: [
            perRun(FINDINGS_METRIC.findingsFailed, 'refused'),
            perRun(FINDINGS_METRIC.findingsRegionErrors, 'regions not synced'),
            perRun(FINDINGS_METRIC.regionsWithoutSecurityHub, 'regions without Security Hub'),
          ],
          width: 12,
        }),
      );
    }
  }

  /**
   * The EC2 scan configuration (scan mode, Inspector VM scanner): published only when the policy manages it,
   * so these graphs are empty otherwise. Each run reads its slice of the day (docs/reference.md), so a run's
   * counts by scanner are that slice's; the table sums the region totals lines over the dashboard's time range,
   * which at a day or more is every managed account.
   */
  private addScanConfiguration(props: ReconcilerDashboardProps): void {
    const { period } = props;
    const perRun = (metricName: string, label: string) =>
      reconcilerMetric(metricName, { period, statistic: cloudwatch.Stats.MAXIMUM, label });
    const m = SCAN_CONFIGURATION_METRIC;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'EC2 scan configuration: accounts by VM scanner (left) and scan mode (right), as each run read them',
        left: [
          perRun(m.vmScannerActivated, 'VM scanner ACTIVATED'),
          perRun(m.vmScannerDeactivated, 'VM scanner DEACTIVATED'),
          perRun(m.vmScannerFailed, 'VM scanner FAILED'),
        ],
        right: [perRun(m.scanModeHybrid, 'EC2_HYBRID'), perRun(m.scanModeAgentBased, 'EC2_SSM_AGENT_BASED')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'EC2 scan configuration per run: updated, report-only, held, pending (left); failed (right)',
        left: [
          perRun(m.updated, 'updated'),
          perRun(m.wouldUpdate, 'would update (report-only)'),
          perRun(m.narrowingHeld, 'narrowing held by the guardrail'),
          perRun(m.pending, 'pending'),
        ],
        right: [perRun(m.failed, 'failed')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'EC2 scan configuration by region, summed over the time range (Logs Insights)',
        logGroupNames: [props.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter message = "${REGION_TOTALS_MESSAGE}" and ispresent(scanConfiguration.accounts)`,
          'stats sum(scanConfiguration.vmScanner.ACTIVATED) as vm_scanner_activated, sum(scanConfiguration.vmScanner.DEACTIVATED) as vm_scanner_deactivated, sum(scanConfiguration.vmScanner.FAILED) as vm_scanner_failed, sum(scanConfiguration.scanMode.EC2_HYBRID) as hybrid, sum(scanConfiguration.scanMode.EC2_SSM_AGENT_BASED) as agent_based, sum(scanConfiguration.updated) as updated, sum(scanConfiguration.failed) as failed by region',
          'sort region asc',
        ],
        width: 24,
      }),
    );
  }
}

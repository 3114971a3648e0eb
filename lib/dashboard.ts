import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FINDINGS_METRIC } from '../lambda/reconciler/findings/metrics';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../lambda/reconciler/metrics';
import { reconcilerMetric } from './alarms';

export interface ReconcilerDashboardProps {
  readonly function: lambda.IFunction;
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
      new cloudwatch.GraphWidget({
        title: 'Changes per run: activated (left), deactivated (right)',
        left: [everyRegion(METRIC.activated)],
        right: [everyRegion(METRIC.deactivated)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Failures per run (left), failed-accounts queue (right)',
        left: [everyRegion(METRIC.failed)],
        right: [
          props.failedAccounts.metricApproximateNumberOfMessagesVisible({ period, label: 'failed-accounts queue' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Report-only rules: would activate (left), would deactivate (right)',
        left: [everyRegion(METRIC.wouldActivate)],
        right: [everyRegion(METRIC.wouldDeactivate)],
        width: 12,
      }),
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
      new cloudwatch.GraphWidget({
        title: 'Skipped by reason',
        left: [search(METRIC.skippedByReason, [DIMENSION.reason, DIMENSION.region])],
        width: 12,
      }),
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
}

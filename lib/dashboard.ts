import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../lambda/reconciler/metrics';
import { reconcilerMetric } from './alarms';

export interface ReconcilerDashboardProps {
  readonly function: lambda.IFunction;
  readonly failedAccounts: sqs.IQueue;
  /** The regions the policy reconciles. */
  readonly regions: readonly string[];
  readonly period: Duration;
}

/** Coverage at a glance: deep inspection activated / eligible per region over time, changes, failures, skips, duration. */
export class ReconcilerDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ReconcilerDashboardProps) {
    super(scope, id);
    const { period } = props;
    const perRegion = (metricName: string, region: string) =>
      reconcilerMetric(metricName, {
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
        dimensionsMap: { [DIMENSION.region]: region },
        label: region,
      });

    const coverage = props.regions.map(
      (region, i) =>
        new cloudwatch.MathExpression({
          expression: `100 * active${i} / eligible${i}`,
          usingMetrics: {
            [`active${i}`]: perRegion(METRIC.deepInspectionActive, region),
            [`eligible${i}`]: perRegion(METRIC.eligible, region),
          },
          label: region,
          period,
        }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Deep inspection coverage: activated / eligible (%)',
        left: coverage,
        leftYAxis: { min: 0, max: 100 },
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Changes per run',
        left: props.regions.map((r) => perRegion(METRIC.activated, r).with({ label: `${r} activated` })),
        right: props.regions.map((r) => perRegion(METRIC.deactivated, r).with({ label: `${r} deactivated` })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Failures',
        left: props.regions.map((r) => perRegion(METRIC.failed, r).with({ label: `${r} failed` })),
        right: [
          props.failedAccounts.metricApproximateNumberOfMessagesVisible({ period, label: 'failed-accounts queue' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Report-only rules: what enforcing them would change',
        left: props.regions.map((r) => perRegion(METRIC.wouldActivate, r).with({ label: `${r} would activate` })),
        right: props.regions.map((r) => perRegion(METRIC.wouldDeactivate, r).with({ label: `${r} would deactivate` })),
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
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.reason},${DIMENSION.region},service} MetricName="${METRIC.skippedByReason}"', 'Maximum', ${period.toSeconds()})`,
            label: '',
            period,
          }),
        ],
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
  }
}

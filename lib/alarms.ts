import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../lambda/reconciler/metrics';
import { SERVICE_NAME } from '../lambda/reconciler/observability';
import type { ReconcilerQueues } from './queues';

export interface ReconcilerAlarmsProps {
  readonly function: lambda.IFunction;
  readonly queues: ReconcilerQueues;
  /** How often the schedule runs; the staleness alarm waits twice this long. */
  readonly schedulePeriod: Duration;
  /** How often effective coverage is measured. */
  readonly coveragePeriod: Duration;
  /** @default - a new encrypted topic */
  readonly alarmTopicArn?: string;
  /** @default - no e-mail subscription */
  readonly alarmEmail?: string;
}

/** A metric the function publishes through Powertools Metrics (its default `service` dimension included). */
export function reconcilerMetric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    ...props,
    dimensionsMap: { service: SERVICE_NAME, ...props.dimensionsMap },
  });
}

/** The stack's EventBridge rules that publish to the alarm topic, named under the stack's prefix. */
const POLICY_CHANGED_RULE = 'PolicyChanged';
const ALARM_RECOVERED_RULE = 'AlarmRecovered';

/** Every way the reconciler can go wrong or go quiet, each an alarm on one SNS topic. */
export class ReconcilerAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];

  /** Every alarm is named `<stack>-<Alarm>`, so that the topic and key policies can name them before they exist. */
  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: ReconcilerAlarmsProps) {
    super(scope, id);
    this.alarmNamePrefix = `${Stack.of(this).stackName}-`;
    this.topic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn) : this.newTopic();
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const { queues } = props;
    this.queueNotEmpty(
      'FailedAccounts',
      queues.failedAccounts,
      'Accounts the reconciler could not fix are waiting in the failed-accounts queue.',
    );
    this.queueNotEmpty(
      'RunFailures',
      queues.runFailures,
      'A reconciler run failed after Lambda retried it; its event is in the run-failures queue.',
    );
    this.queueNotEmpty(
      'ScheduleDeliveryFailures',
      queues.scheduleDeadLetters,
      'EventBridge could not deliver a scheduled run to the function.',
    );

    this.add(
      'FunctionErrors',
      props.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      'The reconciler ended in an error: an invalid policy, a failed region, or undeliverable failures. See its log.',
    );
    this.add(
      'RunFailedNotRetried',
      reconcilerMetric(METRIC.runsFailedNotRetried, { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      'A scheduled run failed for a reason a retry would meet again (an invalid policy, access denied), so it was not retried. See the function log: fix the policy or the permission.',
    );
    // A reconciler that silently stopped is the worst failure; a fresh deploy that has not run yet is
    // not one. So the alarm counts from the first completed run: missing data keeps it waiting
    // (INSUFFICIENT_DATA, its state at creation, which notifies nobody); once runs have completed, two
    // schedule periods without one take it to INSUFFICIENT_DATA again, and that transition notifies.
    const stale = this.add(
      'NoSuccessfulRun',
      reconcilerMetric(METRIC.runsCompleted, { period: props.schedulePeriod, statistic: cloudwatch.Stats.SUM }),
      'No successful reconciler run within twice the schedule period (INSUFFICIENT_DATA after runs had completed): the reconciler stopped or keeps failing.',
      {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      },
    );
    stale.addInsufficientDataAction(new SnsAction(this.topic));
    // Every run publishes the count, 0 included: the alarm stays in ALARM while a region is not enabled
    // (one notification, not one an hour) and recovers on the first run after it is enabled or removed.
    this.add(
      'RegionNotEnabled',
      reconcilerMetric(METRIC.regionsNotEnabled, { period: props.schedulePeriod, statistic: cloudwatch.Stats.MAXIMUM }),
      'A region of the policy is not enabled for this account (Account Management RegionOptStatus DISABLED, or every call there answered UnrecognizedClientException): nothing there is read or changed. The run summary’s region error says which; enable the region for this account, or remove it from the policy.',
    );
    this.add(
      'GuardrailTripped',
      reconcilerMetric(METRIC.guardrailTripped, { period: props.schedulePeriod, statistic: cloudwatch.Stats.MAXIMUM }),
      'A run would have deactivated more accounts than the policy allows; no deactivation was applied. Check the policy, then invoke with "force": true if intended.',
    );
    this.add(
      'ExpiringRules',
      reconcilerMetric(METRIC.expiringRules, { period: props.schedulePeriod, statistic: cloudwatch.Stats.MAXIMUM }),
      'A policy rule (an exception) expires within warnBeforeExpiryDays: its accounts then go to the rules after it or the default. Extend it or let it lapse on purpose; the run summary names it.',
    );
    this.add(
      'CoverageBelowMinimum',
      reconcilerMetric(METRIC.regionsBelowCoverageMinimum, {
        period: props.coveragePeriod,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'In a region, the effective deep inspection coverage of ACTIVATED accounts is below the policy’s coverage.minimumEffectivePercent. The coverage summary names the regions, their worst accounts and the reasons to fix.',
    );
    this.notifyRecoveries();
  }

  /**
   * Every change of the policy parameter (PutParameter, DeleteParameter, LabelParameterVersion, as
   * CloudTrail records them) goes to the alarm topic with who made it and when: "who switched this
   * off?" has an answer. Needs CloudTrail logging management events in this account and region (an
   * organization trail does), as every "AWS API Call via CloudTrail" rule does.
   */
  notifyPolicyChanges(parameterName: string): events.Rule {
    const rule = new events.Rule(this, 'PolicyChanged', {
      ruleName: `${this.alarmNamePrefix}${POLICY_CHANGED_RULE}`,
      description: 'Tells the alarm topic who changed the deep inspection policy parameter, and when',
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ssm.amazonaws.com'],
          eventName: ['PutParameter', 'DeleteParameter', 'DeleteParameters', 'LabelParameterVersion'],
          requestParameters: { name: [parameterName] },
        },
      },
    });
    const message = events.RuleTargetInput.fromText(
      `The deep inspection policy ${parameterName} was changed: ${events.EventField.fromPath('$.detail.eventName')} by ${events.EventField.fromPath('$.detail.userIdentity.arn')} at ${events.EventField.fromPath('$.detail.eventTime')} from ${events.EventField.fromPath('$.detail.sourceIPAddress')}. The next run uses it; its summary names the parameter version.`,
    );
    this.toTopic(rule, message);
    return rule;
  }

  /**
   * Recovery, told once: an alarm back to OK from ALARM, and NoSuccessfulRun back to OK after runs
   * had stopped (from INSUFFICIENT_DATA; the first run after a deploy says so too, which proves runs
   * complete and notifications arrive). OK actions on the alarms would instead notify every alarm's
   * first OK right after a deploy, INSUFFICIENT_DATA to OK: a dozen messages about nothing.
   */
  private notifyRecoveries(): events.Rule {
    const rule = new events.Rule(this, 'AlarmRecovered', {
      ruleName: `${this.alarmNamePrefix}${ALARM_RECOVERED_RULE}`,
      description: 'Tells the alarm topic when one of the reconciler alarms recovers',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: {
          state: { value: ['OK'] },
          $or: [
            { alarmName: [{ prefix: this.alarmNamePrefix }], previousState: { value: ['ALARM'] } },
            { alarmName: [`${this.alarmNamePrefix}NoSuccessfulRun`], previousState: { value: ['INSUFFICIENT_DATA'] } },
          ],
        },
      },
    });
    const message = events.RuleTargetInput.fromText(
      `OK: ${events.EventField.fromPath('$.detail.alarmName')} has recovered at ${events.EventField.fromPath('$.time')}: ${events.EventField.fromPath('$.detail.state.reason')}`,
    );
    this.toTopic(rule, message);
    return rule;
  }

  /**
   * Bound by hand: the stock SNS target would add an unscoped events.amazonaws.com statement to the
   * topic policy; the stack's own topic allows this stack's rules alone (newTopic), an imported one is the owner's.
   */
  private toTopic(rule: events.Rule, input: events.RuleTargetInput): void {
    rule.addTarget({ bind: () => ({ arn: this.topic.topicArn, input }) });
  }

  /**
   * A topic policy replaces SNS's default one, so CloudWatch may publish only if the policy says so;
   * the key policy must let it use the key too. Both are scoped to this account and to this stack's
   * alarms (their names share a prefix, known before the alarms exist: no dependency cycle with the key).
   */
  private newTopic(): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      // `cdk destroy` schedules the key's deletion (after KMS's 30-day waiting period) rather than leaving it behind.
      removalPolicy: RemovalPolicy.DESTROY,
      description: 'Encrypts the deep inspection reconciler alarm topic',
    });
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromTheseAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': this.alarmArnPattern() },
    };
    const fromTheseRules = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': [POLICY_CHANGED_RULE, ALARM_RECOVERED_RULE].map((name) => this.ruleArn(name)) },
    };
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksRulesToUseTheKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromTheseRules,
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromTheseAlarms,
      }),
    );
    const topic = new sns.Topic(this, 'Topic', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'Deep inspection reconciler alarms',
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksRulesToPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromTheseRules,
      }),
    );
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromTheseAlarms,
      }),
    );
    return topic;
  }

  private ruleArn(name: string): string {
    return `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${this.alarmNamePrefix}${name}`;
  }

  /** `arn:aws:cloudwatch:<region>:<account>:alarm:<stack>-*`: this stack's alarms and no other. */
  private alarmArnPattern(): string {
    return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${this.alarmNamePrefix}*`;
  }

  /**
   * Two alarms a queue: one on its depth (something is waiting), which stays in ALARM while nobody
   * reads the queue, and one on what arrived in the last five minutes, which goes back to OK after
   * each burst, so a new failure notifies again even while older ones are still waiting.
   */
  private queueNotEmpty(id: string, queue: sqs.IQueue, description: string): void {
    const period = Duration.minutes(5);
    this.add(
      `${id}QueueNotEmpty`,
      queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      description,
    );
    this.add(
      `${id}Arrived`,
      queue.metricNumberOfMessagesSent({ period, statistic: cloudwatch.Stats.SUM }),
      `New: ${description}`,
    );
  }

  private add(
    id: string,
    metric: cloudwatch.Metric,
    description: string,
    options: Partial<cloudwatch.CreateAlarmOptions> = {},
  ): cloudwatch.Alarm {
    const alarm = metric.createAlarm(this, id, {
      alarmName: `${this.alarmNamePrefix}${id}`,
      alarmDescription: description,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
    });
    // Recovery is told by the AlarmRecovered rule, not by OK actions (see notifyRecoveries).
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

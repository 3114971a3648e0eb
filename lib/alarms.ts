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
import {
  FINDINGS_METRIC,
  METRIC,
  METRICS_NAMESPACE,
  SCAN_CONFIGURATION_METRIC,
  SERVICE_NAME,
} from '../lambda/reconciler/constructs-entry';
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
  /** The stack grants the findings step (securityHubFindings): its two alarms, on findings that do not arrive. @default false */
  readonly securityHubFindings?: boolean;
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

/**
 * For a metric every run publishes while a condition lasts (0 once it is over): a run that ends
 * before publishing it (a transient failure of the policy read, say) keeps the alarm where it is,
 * rather than taking it to OK for an hour, telling a recovery that did not happen, and alarming again.
 */
const LEVEL: Partial<cloudwatch.CreateAlarmOptions> = { treatMissingData: cloudwatch.TreatMissingData.IGNORE };

/** The stack's EventBridge rules that publish to the alarm topic, named under the stack's prefix. */
const POLICY_CHANGED_RULE = 'PolicyChanged';
const ALARM_RECOVERED_RULE = 'AlarmRecovered';

/**
 * How a rule target retries a notification before EventBridge leaves it in the dead-letter queue. Errors no
 * retry heals (a permission the topic or its key refuses, a topic that is gone) go there at once (EventBridge
 * User Guide, "Event retry policy and using dead-letter queues"); a notification two hours late still says
 * what happened and when.
 */
const NOTIFICATION_RETRY = { maximumRetryAttempts: 10, maximumEventAge: Duration.hours(2) };

/**
 * Which events announce a change of the policy parameter: exactly one path speaks, so a change is told once.
 * - `cloudtrail`: CloudTrail's "AWS API Call via CloudTrail" events, which name who made the change. They
 *   exist only where a trail logs this account's and region's write management events (EventBridge User
 *   Guide, "Events from AWS services": "a CloudTrail trail with logging enabled is required").
 * - `parameter-store`: Parameter Store's own "Parameter Store Change" events, which need no trail but name no
 *   caller, are sent best effort (EventBridge Events Reference, "Delivery level for AWS service events"), and
 *   have no event for UnlabelParameterVersion (Systems Manager User Guide, "Amazon EventBridge event
 *   examples for Systems Manager").
 */
export type PolicyChangeSource = 'cloudtrail' | 'parameter-store';

/** The alarms on the notifications' dead-letter queue: `<this>Arrived` and `<this>QueueNotEmpty`. */
const NOTIFICATION_DELIVERY_FAILURES = 'NotificationDeliveryFailures';

/** The alarms a failed AlarmRecovered delivery raises: their recovery is not told through it (notifyRecoveries). */
const SILENT_RECOVERIES = [
  `${ALARM_RECOVERED_RULE}NotDelivered`,
  `${NOTIFICATION_DELIVERY_FAILURES}Arrived`,
  `${NOTIFICATION_DELIVERY_FAILURES}QueueNotEmpty`,
];

/** Every way the reconciler can go wrong or go quiet, each an alarm on one SNS topic. */
export class ReconcilerAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];

  /** Every alarm is named `<stack>-<Alarm>`, so that the topic and key policies can name them before they exist. */
  private readonly alarmNamePrefix: string;
  private readonly notificationDeadLetters: sqs.IQueue;

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
    this.notificationDeadLetters = queues.notificationDeadLetters;
    this.queueNotEmpty(
      NOTIFICATION_DELIVERY_FAILURES,
      queues.notificationDeadLetters,
      'EventBridge could not deliver a notification (a policy change or a recovery) to the alarm topic. Each message holds the event and EventBridge’s error: check the topic, its policy and its key.',
    );
    // As EventBridge's own example grants it: SendMessage from this stack's rules alone (EventBridge User
    // Guide, "Using dead-letter queues", "Granting permissions to the dead-letter queue").
    queues.notificationDeadLetters.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksRulesToSendUndeliveredEvents',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queues.notificationDeadLetters.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.ruleArns() } },
      }),
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
      LEVEL,
    );
    // The same shape: every run publishes the count, 0 included (delegated-administrator.ts).
    this.add(
      'NotDelegatedAdministrator',
      reconcilerMetric(METRIC.regionsNotDelegatedAdministrator, {
        period: props.schedulePeriod,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      "In a region of the policy, this account is not Inspector's delegated administrator (GetDelegatedAdminAccount names another account or none, or every member read answered ACCESS_DENIED): nothing there is read or changed, nothing queued. The run summary's region error says which: designate it, or remove the region from the policy.",
      LEVEL,
    );
    // Its own alarm, with or without securityHubFindings: without it is exactly when the policy's ask goes unserved.
    this.add(
      'FindingsNotGranted',
      reconcilerMetric(METRIC.findingsNotGranted, {
        period: props.schedulePeriod,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'The policy asks for Security Hub findings (findings.securityHub) and the stack grants the function no Security Hub permission: no finding is imported. Deploy with -c securityHubFindings=true, or turn findings.securityHub off in the policy.',
      LEVEL,
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
      LEVEL,
    );
    this.add(
      'CoverageBelowMinimum',
      reconcilerMetric(METRIC.regionsBelowCoverageMinimum, {
        period: props.coveragePeriod,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'In a region, the effective deep inspection coverage of ACTIVATED accounts is below the policy’s coverage.minimumEffectivePercent. The coverage summary names the regions, their worst accounts and the reasons to fix.',
      LEVEL,
    );
    // The scan configuration's FAILED outcomes (refused, unreadable, not reached) are queued and raise
    // FailedAccounts…; a VM scanner change Inspector accepted and then could not apply is read as FAILED later,
    // by no write of this run: nothing queues it, so it has its own alarm.
    this.add(
      'VmScannerFailed',
      reconcilerMetric(SCAN_CONFIGURATION_METRIC.vmScannerFailed, {
        period: props.schedulePeriod,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'A run read the Inspector VM scanner FAILED in an account (GetConfiguration: Inspector could not apply the last VM scanner change). The run’s summary names each such account (scanConfigurationChanges, a change from FAILED) and the run writes the policy’s value again. A lasting FAILED needs the account’s Inspector setup checked; with Security Hub findings on, each such account is a VM_SCANNER_FAILED finding.',
      LEVEL,
    );
    if (props.securityHubFindings) this.watchFindings(props.schedulePeriod);
    this.notifyRecoveries();
  }

  /**
   * The findings are a notification path to the security team: each way they fail to arrive alarms. Both
   * metrics are published by every run that syncs, 0 included (findings/metrics.ts), so an alarm stays in
   * ALARM while the cause lasts (one notification) and recovers on the first run without it.
   */
  private watchFindings(schedulePeriod: Duration): void {
    const perRun = { period: schedulePeriod, statistic: cloudwatch.Stats.MAXIMUM };
    this.add(
      'SecurityHubNotEnabled',
      reconcilerMetric(FINDINGS_METRIC.regionsWithoutSecurityHub, perRun),
      'Security Hub CSPM is not enabled for this account in a region of the policy: the exceptions there are not imported as findings (BatchImportFindings is a Security Hub CSPM operation; enabling only the new Security Hub does not serve it). The run’s warning “Security Hub CSPM not enabled in <region>” (and the SecurityHubNotEnabled metric by Region) names it. Enable Security Hub CSPM there, or turn findings off in the policy.',
    );
    this.add(
      'FindingsNotImported',
      new cloudwatch.MathExpression({
        expression: 'failed + regionErrors',
        usingMetrics: {
          failed: reconcilerMetric(FINDINGS_METRIC.findingsFailed, perRun),
          regionErrors: reconcilerMetric(FINDINGS_METRIC.findingsRegionErrors, perRun),
        },
        label: 'findings refused + regions not synced',
        period: schedulePeriod,
      }),
      'Security Hub refused findings (FindingsFailed), or a region’s findings could not be synced (FindingsRegionErrors): those exceptions are not where the security team looks. The function log’s warnings (“findings Security Hub refused”, “Security Hub findings”) say which and why; an access denied means the role lacks a Security Hub permission.',
    );
  }

  /**
   * Every change of the policy parameter goes to the alarm topic, told once, by the path `from` names (see
   * PolicyChangeSource): from CloudTrail, who made it, when and from where ("who switched this off?" has an
   * answer); from Parameter Store, which operation and when. A read, another parameter (the guardrail ledger
   * the function writes every run) and a call that was refused are not changes.
   */
  notifyPolicyChanges(parameterName: string, from: PolicyChangeSource = 'parameter-store'): events.Rule {
    const cloudTrail = from === 'cloudtrail';
    const rule = new events.Rule(this, 'PolicyChanged', {
      ruleName: `${this.alarmNamePrefix}${POLICY_CHANGED_RULE}`,
      description: cloudTrail
        ? 'Tells the alarm topic who changed the deep inspection policy parameter, and when (CloudTrail)'
        : 'Tells the alarm topic when the deep inspection policy parameter changed (Parameter Store events)',
      eventPattern: cloudTrail
        ? {
            source: ['aws.ssm'],
            detailType: ['AWS API Call via CloudTrail'],
            detail: {
              eventSource: ['ssm.amazonaws.com'],
              eventName: [
                'PutParameter',
                'DeleteParameter',
                'DeleteParameters',
                'LabelParameterVersion',
                'UnlabelParameterVersion',
              ],
              // CloudTrail records a refused call too, with its errorCode: it changed nothing.
              errorCode: [{ exists: false }],
              // DeleteParameters carries a list of names (SSM API Reference, DeleteParameters "Names"); an
              // event's array matches if any element does.
              requestParameters: { $or: [{ name: [parameterName] }, { names: [parameterName] }] },
            },
          }
        : {
            source: ['aws.ssm'],
            detailType: ['Parameter Store Change'],
            // Every operation Parameter Store reports for this parameter: Create, Update, Delete and
            // LabelParameterVersion are documented; one it adds later is a change too.
            detail: { name: [parameterName] },
          },
    });
    const field = (jsonPath: string) => events.EventField.fromPath(jsonPath);
    const message = cloudTrail
      ? `The deep inspection policy ${parameterName} was changed: ${field('$.detail.eventName')} by ${field('$.detail.userIdentity.arn')} at ${field('$.detail.eventTime')} from ${field('$.detail.sourceIPAddress')}. The next run uses it; its summary names the parameter version.`
      : `The deep inspection policy ${parameterName} was changed: ${field('$.detail.operation')} at ${field('$.time')}. Parameter Store's event names no caller: CloudTrail's event history for the parameter does. The next run uses it; its summary names the parameter version.`;
    this.toTopic(rule, POLICY_CHANGED_RULE, events.RuleTargetInput.fromText(message));
    return rule;
  }

  /**
   * Recovery, told once: an alarm back to OK from ALARM, and NoSuccessfulRun back to OK after runs
   * had stopped (from INSUFFICIENT_DATA; the first run after a deploy says so too, which proves runs
   * complete and notifications arrive). OK actions on the alarms would instead notify every alarm's
   * first OK right after a deploy, INSUFFICIENT_DATA to OK: a dozen messages about nothing. The alarms
   * this rule's own failed delivery raises (SILENT_RECOVERIES) are not told.
   */
  private notifyRecoveries(): events.Rule {
    const rule = new events.Rule(this, 'AlarmRecovered', {
      ruleName: `${this.alarmNamePrefix}${ALARM_RECOVERED_RULE}`,
      description: 'Tells the alarm topic when one of the reconciler alarms recovers',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        // An alarm that this rule's own failed delivery raises (the alarm event's resources hold its ARN) is not
        // told: were the delivery still failing, telling its recovery would raise it again, without end.
        resources: events.Match.anythingBut(...SILENT_RECOVERIES.map((name) => this.alarmArn(name))),
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
    this.toTopic(rule, ALARM_RECOVERED_RULE, message);
    return rule;
  }

  /**
   * Bound by hand: the stock SNS target would add an unscoped events.amazonaws.com statement to the
   * topic policy; the stack's own topic allows this stack's rules alone (newTopic), an imported one is the owner's.
   * Every target retries, then leaves what it could not deliver in the notification dead-letter queue, and
   * its rule's failed invocations (AWS/Events FailedInvocations, per rule) raise `<rule>NotDelivered`.
   */
  private toTopic(rule: events.Rule, name: string, input: events.RuleTargetInput): void {
    rule.addTarget({
      bind: () => ({
        arn: this.topic.topicArn,
        input,
        deadLetterConfig: { arn: this.notificationDeadLetters.queueArn },
        retryPolicy: {
          maximumRetryAttempts: NOTIFICATION_RETRY.maximumRetryAttempts,
          maximumEventAgeInSeconds: NOTIFICATION_RETRY.maximumEventAge.toSeconds(),
        },
      }),
    });
    this.add(
      `${name}NotDelivered`,
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: `${this.alarmNamePrefix}${name}` },
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      `EventBridge could not deliver the ${name} rule’s notification to the alarm topic. The event and the error wait in the notification dead-letter queue: check the topic, its policy and its key.`,
    );
  }

  /**
   * A topic policy replaces SNS's default one, so CloudWatch and EventBridge may publish only if the policy
   * says so, and only from this account, this stack's alarms and this stack's rules (their names share a
   * prefix, known before they exist: no dependency cycle with the key). The key policy must let both use the
   * key: CloudWatch scoped the same way, EventBridge without source conditions (see below).
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
      ArnLike: { 'aws:SourceArn': this.ruleArns() },
    };
    // No source conditions here: EventBridge sends none to the key of an encrypted topic, "Adding the
    // aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted
    // topics" (SNS Developer Guide, "Key management", "Enable compatibility between event sources from AWS
    // services and encrypted topics"), and with them every rule's delivery failed. The topic policy keeps them,
    // so a foreign rule is refused at the topic; the key allows this principal these two actions alone.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToUseTheKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    // CloudWatch keeps them: the same page excepts EventBridge-to-encrypted-topic delivery alone from these
    // conditions in a key policy. First-day check 1 (set-alarm-state) proves the path live.
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

  private ruleArns(): string[] {
    return [POLICY_CHANGED_RULE, ALARM_RECOVERED_RULE].map((name) => this.ruleArn(name));
  }

  private alarmArn(name: string): string {
    return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${this.alarmNamePrefix}${name}`;
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
    metric: cloudwatch.Metric | cloudwatch.MathExpression,
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

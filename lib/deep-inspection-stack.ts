import * as path from 'node:path';
import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  CALL_TIMEOUTS,
  lintPolicy,
  marginsFor,
  parsePolicy,
  partitionOf,
  policyText,
  readPolicyFile,
  regionProblem,
  utcDay,
} from '../lambda/reconciler/constructs-entry';
import { ReconcilerAlarms } from './alarms';
import { type ReconcilerConfig, SettingsError, scheduleSeconds } from './config';
import { ReconcilerDashboard } from './dashboard';
import { GuardrailLedger } from './guardrail-ledger';
import { ReconcilerQueues } from './queues';
import { longestParameterArnPrefix, parameterNameProblems, resourceNameValidation } from './names';
import { ReconcilerFunction } from './reconciler-function';

export interface DeepInspectionStackProps extends StackProps {
  readonly config: ReconcilerConfig;
  /** Where relative paths in the config (the policy file) are read from. @default process.cwd() */
  readonly baseDirectory?: string;
}

/** Everything the reconciler needs, deployed into the Inspector delegated administrator account. */
export class DeepInspectionStack extends Stack {
  constructor(scope: Construct, id: string, props: DeepInspectionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const policyFile = path.resolve(props.baseDirectory ?? process.cwd(), config.policyFile);
    // The one reader (policy/read.ts), as the CLI and the function read it: UTF-8 only, a byte order mark
    // dropped (the parameter holds the policy without it), the configured tier's size.
    const text = policyText(readPolicyFile(policyFile, config.policyFile), policyFile, {
      tier: config.policyParameterTier,
    });
    // The same validator the function runs: an invalid policy fails `cdk synth` with its problems.
    const policy = parsePolicy(text, policyFile);
    // Lint without the organization (synth has no credentials): unreachable, expired and expiring rules.
    for (const warning of lintPolicy(policy, { today: utcDay(new Date()) })) {
      Annotations.of(this).addWarningV2(
        `policy:${warning.kind}`,
        `${config.policyFile} ${warning.path}: ${warning.message}`,
      );
    }

    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
    checkRegions(policy.regions ?? [], this.region);
    checkParameterNames(config.policyParameterName, this.region);
    // Every literal resource name, checked once the whole stack is built: names added later included.
    this.node.addValidation(resourceNameValidation(this));
    checkTimeout(config.timeoutMinutes);
    checkScheduleAgainstTimeout(config.schedule, config.timeoutMinutes);
    checkConcurrency(config);
    if (config.alarmTopicArn !== undefined) checkAlarmTopic(config.alarmTopicArn, this.region);
    const schedulePeriod = Duration.seconds(scheduleSeconds(config.schedule));
    const coveragePeriod = Duration.seconds(scheduleSeconds(config.coverageSchedule));

    const parameter = new ssm.StringParameter(this, 'Policy', {
      parameterName: config.policyParameterName,
      stringValue: text,
      tier: config.policyParameterTier === 'Advanced' ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
      description: `Deep inspection policy, seeded from ${config.policyFile}`,
    });

    const evidence = config.keepEvidenceOnDestroy ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const queues = new ReconcilerQueues(this, 'Queues', { evidenceRemovalPolicy: evidence });
    const reconciler = new ReconcilerFunction(this, 'Reconciler', {
      logRemovalPolicy: evidence,
      runsNeverOverlap: config.runsNeverOverlap,
      memoryMiB: config.memoryMiB,
      timeout: Duration.minutes(config.timeoutMinutes),
      logRetention: config.logRetentionDays as logs.RetentionDays,
      runFailures: queues.runFailures,
    });
    reconciler.bindPolicy(parameter);
    reconciler.bindSchedulePeriod(schedulePeriod);
    // The guardrail's memory across invocations: created once by the first deploy, never written by one.
    const ledger = new GuardrailLedger(this, 'GuardrailLedger', {
      parameterName: `${config.policyParameterName}${LEDGER_SUFFIX}`,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      tags: config.tags,
    });
    // The function never runs before the ledger exists: a missing ledger always means a deleted one.
    reconciler.function.node.addDependency(ledger.creation);
    reconciler.bindGuardrailLedger(ledger.parameter);
    reconciler.bindFailedAccountsQueue(queues.failedAccounts);
    if (config.securityHubFindings) reconciler.bindSecurityHubFindings();

    // EventBridge Scheduler, the successor of scheduled rules: on time (no flexible window), in UTC,
    // with an explicit input naming the schedule and its execution, retries and a dead-letter queue.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler invokes the deep inspection reconciler',
    });
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(reconciler.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the function and its qualified ARNs (versions and aliases of this one function), as the Scheduler target grants it; no other function.',
    });
    const scheduled = (action?: 'coverage') =>
      new schedulerTargets.LambdaInvoke(reconciler.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          trigger: 'schedule',
          ...(action ? { action } : {}),
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          scheduleExecutionId: scheduler.ContextAttribute.executionId,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: queues.scheduleDeadLetters,
      });
    const schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the deep inspection reconciler',
      schedule: scheduler.ScheduleExpression.expression(config.schedule, TimeZone.ETC_UTC),
      timeWindow: scheduler.TimeWindow.off(),
      target: scheduled(),
    });
    // Effective coverage on a schedule of its own (daily by default): the reconcile run's time is untouched.
    new scheduler.Schedule(this, 'CoverageSchedule', {
      description: 'Measures the effective deep inspection coverage of EC2 instances',
      schedule: scheduler.ScheduleExpression.expression(config.coverageSchedule, TimeZone.ETC_UTC),
      timeWindow: scheduler.TimeWindow.off(),
      target: scheduled('coverage'),
    });

    const alarms = new ReconcilerAlarms(this, 'Alarms', {
      function: reconciler.function,
      queues,
      schedulePeriod,
      coveragePeriod,
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      securityHubFindings: config.securityHubFindings,
    });
    const policyChanged = alarms.notifyPolicyChanges(
      config.policyParameterName,
      config.cloudTrailManagementEvents ? 'cloudtrail' : 'parameter-store',
    );
    // The deploy's own creation of the policy is not a change to announce: the rule comes after it.
    policyChanged.node.addDependency(parameter);
    const dashboard = new ReconcilerDashboard(this, 'Dashboard', {
      function: reconciler.function,
      logGroup: reconciler.logGroup,
      failedAccounts: queues.failedAccounts,
      period: schedulePeriod,
      coveragePeriod,
      securityHubFindings: config.securityHubFindings,
    });

    new CfnOutput(this, 'FunctionName', { value: reconciler.function.functionName });
    new CfnOutput(this, 'ConsoleTestEvent', {
      value: JSON.stringify({ dryRun: true }),
      description: 'Paste as a Lambda console test event for a dry run; {} runs for real',
    });
    new CfnOutput(this, 'FailedAccountsQueueUrl', { value: queues.failedAccounts.queueUrl });
    new CfnOutput(this, 'RunFailuresQueueUrl', { value: queues.runFailures.queueUrl });
    new CfnOutput(this, 'ScheduleDeadLetterQueueUrl', { value: queues.scheduleDeadLetters.queueUrl });
    new CfnOutput(this, 'NotificationDeadLetterQueueUrl', { value: queues.notificationDeadLetters.queueUrl });
    new CfnOutput(this, 'PolicyParameterName', { value: parameter.parameterName });
    new CfnOutput(this, 'GuardrailLedgerParameterName', { value: ledger.parameter.parameterName });
    new CfnOutput(this, 'ScheduleName', { value: schedule.scheduleName });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}

/**
 * The stack's own region and every policy region must be ones this version supports end to end (the
 * generated list the function and the command line check too), all in the stack's partition (one
 * delegated administrator, one partition).
 */
function checkRegions(regions: readonly string[], stackRegion: string): void {
  const stackKnown = !Token.isUnresolved(stackRegion);
  const stackProblem = stackKnown ? regionProblem(stackRegion) : undefined;
  if (stackProblem !== undefined) {
    throw new SettingsError(`the stack's region ${stackProblem}: the function would refuse to run there`);
  }
  const partition = stackKnown ? partitionOf(stackRegion) : undefined;
  for (const region of regions) {
    const problem = regionProblem(region);
    if (problem !== undefined) throw new SettingsError(`policy region ${problem}`);
    const regionPartition = partitionOf(region);
    if (partition !== undefined && regionPartition !== partition) {
      throw new SettingsError(
        `policy region ${region} is in the ${regionPartition} partition; this stack deploys to ${stackRegion} (${partition}). One deployment serves one partition`,
      );
    }
  }
}

/** The suffix that names the guardrail's ledger after the policy parameter. */
export const LEDGER_SUFFIX = '-guardrail-ledger';

/** The policy parameter's name and the ledger's derived from it, as SSM checks them, before CloudFormation does. */
function checkParameterNames(policyParameterName: string, stackRegion: string): void {
  const arnPrefixLength = longestParameterArnPrefix(stackRegion);
  const problems = [policyParameterName, `${policyParameterName}${LEDGER_SUFFIX}`].flatMap((name) =>
    parameterNameProblems(name, arnPrefixLength).map((problem) => `SSM parameter name ${name} ${problem}`),
  );
  if (problems.length > 0) {
    throw new SettingsError(
      `policyParameterName ${JSON.stringify(policyParameterName)} (and the guardrail ledger's name, <policyParameterName>${LEDGER_SUFFIX}), as SSM would refuse them:\n${problems.map((p) => `  - ${p}`).join('\n')}\nChoose another policyParameterName in cdk.json or with -c policyParameterName=…`,
    );
  }
}

/** A real run needs time beyond the deadline's margin: the largest organization takes over a minute (BENCHMARKS.md). */
const MIN_RUN_SECONDS = 60;

function checkTimeout(timeoutMinutes: number): void {
  const marginSeconds = marginsFor(CALL_TIMEOUTS).stopStartingMs / 1000;
  if (timeoutMinutes * 60 < marginSeconds + MIN_RUN_SECONDS) {
    throw new SettingsError(
      `timeoutMinutes ${timeoutMinutes} leaves no room for a run: the deadline keeps the last ${marginSeconds} s to report and queue, and a run needs ${MIN_RUN_SECONDS} s more. Use at least ${Math.ceil((marginSeconds + MIN_RUN_SECONDS) / 60)}`,
    );
  }
}

/**
 * What Lambda keeps unreserved: the Lambda Developer Guide, "Configuring reserved concurrency", says you can
 * reserve up to the unreserved account concurrency "minus 100"; accounts with a lower quota get the error
 * "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below
 * its minimum value of [N]" with N equal to the quota (10 and 50 seen in public reports). So min(100, quota):
 * no account with a quota of 100 or less can reserve any. No AWS page states the rule for those quotas.
 */
export const MAX_KEPT_UNRESERVED = 100;

function checkConcurrency(config: ReconcilerConfig): void {
  const limit = config.accountConcurrencyLimit;
  if (!config.runsNeverOverlap || limit === undefined) return;
  const kept = Math.min(MAX_KEPT_UNRESERVED, limit);
  if (limit - 1 < kept) {
    throw new SettingsError(
      `this account's Lambda concurrency limit is ${limit}: reserving 1 for the reconciler would leave ${limit - 1} unreserved, and Lambda keeps ${kept} (the lesser of 100 and the limit). ` +
        `Ask for a quota of at least ${MAX_KEPT_UNRESERVED + 1} (Service Quotas, Lambda "Concurrent executions"), or deploy with -c runsNeverOverlap=false (runs are then kept apart by the schedule, which synth keeps longer than the timeout)`,
    );
  }
}

/**
 * The alarm topic must be in the stack's partition and region: an EventBridge rule targets an SNS topic of
 * its own region only, and CloudWatch refuses an alarm action in another region ("Invalid region X
 * specified. Only Y is supported.", as public reports of the deploy error show; no AWS page states it).
 */
function checkAlarmTopic(topicArn: string, stackRegion: string): void {
  if (Token.isUnresolved(stackRegion)) return;
  const [, partition, , region] = topicArn.split(':');
  const stackPartition = partitionOf(stackRegion);
  if (partition !== stackPartition) {
    throw new SettingsError(
      `alarmTopicArn ${topicArn} is in the ${partition} partition; this stack deploys to ${stackRegion}, partition ${stackPartition}. Give a topic of ${stackRegion}, or leave alarmTopicArn unset for the stack's own topic`,
    );
  }
  if (region !== stackRegion) {
    throw new SettingsError(
      `alarmTopicArn ${topicArn} is in ${region}; this stack deploys to ${stackRegion}, and CloudWatch alarms and EventBridge rules publish only to a topic of their own region. Give a topic of ${stackRegion}, or leave alarmTopicArn unset for the stack's own topic`,
    );
  }
}

/** A schedule shorter than the timeout would start a run while the last may still be going. */
function checkScheduleAgainstTimeout(schedule: string, timeoutMinutes: number): void {
  if (scheduleSeconds(schedule) < timeoutMinutes * 60) {
    throw new SettingsError(
      `schedule ${JSON.stringify(schedule)} is shorter than the function's timeout (${timeoutMinutes} minutes): a run could start before the last one ended. Lengthen the schedule or shorten timeoutMinutes`,
    );
  }
}

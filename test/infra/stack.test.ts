import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { FIXABLE_REASONS } from '../../lambda/reconciler/coverage/tally';
import { parsePolicy } from '../../lambda/reconciler/policy/schema';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import {
  ACCOUNT_ACTIONS,
  INSPECTOR_ACTIONS,
  ORGANIZATIONS_ACTIONS,
  ORGANIZATIONS_ACTIONS_ON_ALL,
  ORGANIZATIONS_ACTIONS_ON_TREE,
} from '../../lib/reconciler-function';
import { testApp } from '../support/app';

const ROOT = path.join(__dirname, '..', '..');
const env = { account: '111122223333', region: 'eu-west-1' };
const defaults = readConfig(() => undefined);

/** The stack's template, bundled only where a test reads the real asset (test/support/app.ts says what else is off). */
function synth(config: Partial<ReconcilerConfig> = {}, options: { bundle?: boolean; baseDirectory?: string } = {}) {
  const app = testApp({ bundle: options.bundle });
  const stack = new DeepInspectionStack(app, 'Test', {
    env,
    config: { ...defaults, ...config },
    baseDirectory: options.baseDirectory ?? ROOT,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type DashboardWidget = { properties: { metrics?: (string | { expression?: string })[][]; query?: string } };

/** The dashboard's widgets, its CloudFormation tokens written as `<token>`. */
function dashboardWidgets(template: Template): DashboardWidget[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const body = parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  return JSON.parse(body).widgets;
}

function policyFileWith(text: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'policy-'));
  writeFileSync(path.join(directory, 'policy.json'), text);
  return directory;
}

describe('DeepInspectionStack', () => {
  const { template } = synth({}, { bundle: true });
  const ref = (logicalPrefix: string) => ({ Ref: Match.stringLikeRegexp(`^${logicalPrefix}`) });
  const arnOf = (logicalPrefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalPrefix}`), 'Arn'] });

  it('keeps the guardrail’s deactivation ledger in an SSM String parameter of its own, which CloudFormation does not own', () => {
    // Created once by a custom resource (test/infra/guardrail-ledger.test.ts), never as an AWS::SSM::Parameter.
    template.resourcePropertiesCountIs(
      'AWS::SSM::Parameter',
      { Name: '/deep-inspection-reconciler/policy-guardrail-ledger' },
      0,
    );
    template.resourceCountIs('Custom::GuardrailLedgerCreation', 1);
    template.hasOutput('GuardrailLedgerParameterName', {
      Value: '/deep-inspection-reconciler/policy-guardrail-ledger',
    });
  });

  it('stores the policy file in an SSM String parameter', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Type: 'String',
      Name: '/deep-inspection-reconciler/policy',
      Value: readFileSync(path.join(ROOT, 'policy.json'), 'utf8'),
      Tier: 'Standard',
    });
  });

  it('runs the reconciler on Node.js 24, arm64, one at a time, with its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: ref('ReconcilerLogGroup') },
      Environment: {
        Variables: {
          POLICY_PARAMETER_NAME: ref('Policy'),
          GUARDRAIL_LEDGER_PARAMETER_NAME: '/deep-inspection-reconciler/policy-guardrail-ledger',
          FAILED_ACCOUNTS_QUEUE_URL: ref('QueuesFailedAccounts'),
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('sends a run that fails after two retries to the run-failures queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: arnOf('QueuesRunFailures') } },
    });
  });

  it('schedules it hourly with EventBridge Scheduler: UTC, no flexible window, explicit input, retries and a dead-letter queue', () => {
    template.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf('ReconcilerFunction'),
        RoleArn: arnOf('ScheduleRole'),
        // The scheduled time is the same for every attempt of one run: the guardrail counts retries by it.
        Input: JSON.stringify({
          trigger: 'schedule',
          scheduledTime: '<aws.scheduler.scheduled-time>',
          scheduleExecutionId: '<aws.scheduler.execution-id>',
        }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: arnOf('QueuesScheduleDeadLetters') },
      },
    });
  });

  it('measures effective coverage daily on a schedule of its own, with the same retries and dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: arnOf('ReconcilerFunction'),
        RoleArn: arnOf('ScheduleRole'),
        Input: JSON.stringify({
          trigger: 'schedule',
          action: 'coverage',
          scheduledTime: '<aws.scheduler.scheduled-time>',
          scheduleExecutionId: '<aws.scheduler.execution-id>',
        }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: arnOf('QueuesScheduleDeadLetters') },
      },
    });
  });

  it('documents every reason to fix in docs/coverage.md’s table', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'coverage.md'), 'utf8');
    const documented = [...page.matchAll(/^\| `([A-Z0-9_]+)` /gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(FIXABLE_REASONS).sort());
  });

  it('lets Scheduler, from this account only, invoke this function and send to its dead-letter queue, nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref('ScheduleRole')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: [arnOf('ReconcilerFunction'), { 'Fn::Join': ['', [arnOf('ReconcilerFunction'), ':*']] }],
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('QueuesScheduleDeadLetters') },
        ],
      },
    });
  });

  it('keeps four encrypted, SSL-only queues for 14 days', () => {
    template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
      4,
    );
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      4,
    );
  });

  it('grants exactly the actions the function calls, on exactly their resources, and no managed policy', () => {
    // The function's, the schedule's, and the ledger creator's two (test/infra/guardrail-ledger.test.ts).
    template.resourceCountIs('AWS::IAM::Policy', 4);
    // Arrays match exactly: any extra statement, action or resource fails this test.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: arnOf('ReconcilerLogGroup'),
          },
          { Effect: 'Allow', Action: INSPECTOR_ACTIONS, Resource: '*' },
          { Effect: 'Allow', Action: ORGANIZATIONS_ACTIONS_ON_ALL, Resource: '*' },
          {
            Effect: 'Allow',
            Action: ORGANIZATIONS_ACTIONS_ON_TREE,
            Resource: ['root/o-*/r-*', 'ou/o-*/ou-*', 'account/o-*/*'].map((tail) => ({
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:organizations::*:${tail}`]],
            })),
          },
          // Why EC2 scanning is off: an account's effective Inspector policy, and no other policy type.
          {
            Effect: 'Allow',
            Action: 'organizations:DescribeEffectivePolicy',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::*:account/o-*/*']] },
            Condition: { StringEquals: { 'organizations:PolicyType': 'INSPECTOR_POLICY' } },
          },
          // ListRegions without AccountId: the function's own account, and no other.
          {
            Effect: 'Allow',
            Action: 'account:ListRegions',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':account::111122223333:account']] },
          },
          // Lambda's on-failure destination sends the failed run's record; it needs nothing else.
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('QueuesRunFailures') },
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameter',
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111122223333:parameter', ref('Policy')],
              ],
            },
          },
          {
            Effect: 'Allow',
            Action: ['ssm:GetParameter', 'ssm:PutParameter'],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':ssm:eu-west-1:111122223333:parameter/deep-inspection-reconciler/policy-guardrail-ledger',
                ],
              ],
            },
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf('QueuesFailedAccounts') },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('alarms when a queue is not empty or the function errs, on the encrypted topic', () => {
    for (const name of [
      'FailedAccountsQueueNotEmpty',
      'RunFailuresQueueNotEmpty',
      'ScheduleDeliveryFailures',
      'FunctionErrors',
    ]) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [ref('AlarmsTopic')],
        },
      });
      expect(Object.keys(alarms).some((id) => id.includes(name))).toBe(true);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('notifies when no run succeeded within twice the schedule period, counting from the first run: no page on a fresh deploy', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-NoSuccessfulRun',
      Namespace: 'DeepInspectionReconciler',
      MetricName: 'RunsCompleted',
      Dimensions: [{ Name: 'service', Value: 'deep-inspection-reconciler' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      // Missing data is not breaching: a fresh deploy waits in INSUFFICIENT_DATA, which notifies nobody…
      TreatMissingData: 'missing',
      // …and runs that stop after having completed take it back there, which notifies.
      InsufficientDataActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

  it('alarms when the guardrail trips', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GuardrailTripped',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    // 19, and VmScannerFailed (the scan configuration's own failure path, issue 26).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 20);
  });

  it('alarms once on a region the account has not enabled: the run’s RegionsNotEnabled, at the schedule’s period', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-RegionNotEnabled',
      MetricName: 'RegionsNotEnabled',
      Namespace: 'DeepInspectionReconciler',
      Statistic: 'Maximum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      // A run that ends before publishing it keeps the alarm where it is: no recovery that did not happen.
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

  it('alarms once on a region where this account is not Inspector’s delegated administrator: RegionsNotDelegatedAdministrator, at the schedule’s period', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-NotDelegatedAdministrator',
      MetricName: 'RegionsNotDelegatedAdministrator',
      Namespace: 'DeepInspectionReconciler',
      Statistic: 'Maximum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      AlarmDescription: Match.stringLikeRegexp('designate it, or remove the region from the policy'),
    });
  });

  it('alarms, with or without the findings setting, when the policy asks for findings the stack does not grant', () => {
    for (const t of [template, synth({ securityHubFindings: true }).template]) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: Match.stringLikeRegexp('-FindingsNotGranted$'),
        MetricName: 'FindingsNotGranted',
        Namespace: 'DeepInspectionReconciler',
        Statistic: 'Maximum',
        Period: 3600,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'ignore',
        AlarmDescription: Match.stringLikeRegexp('securityHubFindings=true'),
      });
    }
  });

  const theseAlarms = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:Test-*',
          ],
        ],
      },
    },
  };

  const ruleArn = (name: string) => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':events:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:rule/${name}`,
      ],
    ],
  });
  const theseRules = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': [ruleArn('Test-PolicyChanged'), ruleArn('Test-AlarmRecovered')] },
  };

  // What the rules match is proven by matching events against them: test/infra/notifications.test.ts.
  it('tells the alarm topic of policy changes from Parameter Store’s own events by default, CloudTrail’s with a trail', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Test-PolicyChanged',
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['Parameter Store Change'],
        detail: { name: ['/deep-inspection-reconciler/policy'] },
      },
      Targets: [Match.objectLike({ Arn: ref('AlarmsTopic') })],
    });
    synth({ cloudTrailManagementEvents: true }).template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Test-PolicyChanged',
      EventPattern: Match.objectLike({ source: ['aws.ssm'], 'detail-type': ['AWS API Call via CloudTrail'] }),
      Targets: [Match.objectLike({ Arn: ref('AlarmsTopic') })],
    });
  });

  it('creates the PolicyChanged rule after the policy parameter: a fresh deploy does not announce its creation', () => {
    const [ruleId] = Object.keys(
      template.findResources('AWS::Events::Rule', { Properties: { Name: 'Test-PolicyChanged' } }),
    );
    const [policyId] = Object.keys(
      template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/deep-inspection-reconciler/policy' } }),
    );
    expect(template.toJSON().Resources[ruleId as string].DependsOn).toContain(policyId);
  });

  it('lets EventBridge use the topic’s key without source conditions, which it does not send to the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowEventBridgeToUseTheKey',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('lets CloudWatch publish to the alarm topic, from this account and this stack’s alarms only, over SSL only', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: ref('AlarmsTopic'),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AllowThisStacksRulesToPublish',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: ref('AlarmsTopic'),
            Condition: theseRules,
          },
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: ref('AlarmsTopic'),
            Condition: theseAlarms,
          },
        ],
      },
    });
  });

  it('lets CloudWatch use the topic’s key, scoped the same way', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToUseTheKey',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: theseAlarms,
          },
        ]),
      },
    });
    // No other statement names CloudWatch: the old unscoped grant is gone.
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = key?.Properties.KeyPolicy.Statement as { Principal?: { Service?: string } }[];
    expect(statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com')).toHaveLength(1);
  });

  it('names every alarm under the stack’s prefix and notifies the topic; no OK action, which a fresh deploy would fire', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmName).toMatch(/^Test-/);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
      // A new alarm's first INSUFFICIENT_DATA → OK would notify: a dozen messages about nothing after a deploy.
      expect(alarm.Properties.OKActions).toBeUndefined();
    }
  });

  it('has exactly the alarms of the README’s table, each with the metric, statistic, period and missing data it says', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.split('### Alarms: what they mean and what to do')[1]?.split('\n### ')[0] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| alarm ') && !line.startsWith('| ---'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const documented = rows.map(([name = '', metric = '', statistic = '', period = '', missing = '']) => {
      const names = [...metric.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      return {
        AlarmName: `Test-${name}`,
        Namespace: names.length === 2 ? names[0] : 'DeepInspectionReconciler',
        MetricName: names[names.length - 1],
        Statistic: statistic,
        Period: { '5 minutes': 300, "the schedule's": 3600, "the coverage schedule's": 86400 }[period] ?? NaN,
        TreatMissingData: missing.startsWith('not breaching') ? 'notBreaching' : missing.split(' ')[0],
      };
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => {
      const p = alarm.Properties;
      return {
        AlarmName: p.AlarmName,
        Namespace: p.Namespace,
        MetricName: p.MetricName,
        Statistic: p.Statistic,
        Period: p.Period,
        TreatMissingData: p.TreatMissingData,
      };
    });
    const byName = (a: { AlarmName: string }, b: { AlarmName: string }) => a.AlarmName.localeCompare(b.AlarmName);
    expect(documented.sort(byName)).toEqual(alarms.sort(byName));
  });

  it('tells the topic of every recovery: an alarm back to OK from ALARM, and runs completing again', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Test-AlarmRecovered',
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: {
          state: { value: ['OK'] },
          $or: [
            { alarmName: [{ prefix: 'Test-' }], previousState: { value: ['ALARM'] } },
            { alarmName: ['Test-NoSuccessfulRun'], previousState: { value: ['INSUFFICIENT_DATA'] } },
          ],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: ref('AlarmsTopic'),
          InputTransformer: Match.objectLike({
            InputPathsMap: Match.objectLike({ 'detail-alarmName': '$.detail.alarmName' }),
          }),
        }),
      ],
    });
  });

  it.each(['FailedAccounts', 'RunFailures', 'ScheduleDeliveryFailures', 'NotificationDeliveryFailures'])(
    'alarms on what arrived in the %s queue in the last five minutes, so a new failure notifies again',
    (queue) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Test-${queue}Arrived`,
        MetricName: 'NumberOfMessagesSent',
        Namespace: 'AWS/SQS',
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('alarms when a policy exception is about to expire, on the run’s ExpiringRules metric', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExpiringRules',
      Namespace: 'DeepInspectionReconciler',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
  });

  it('alarms when a run reads the Inspector VM scanner FAILED: a failure no write of the run queues', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-VmScannerFailed',
      MetricName: 'VmScannerFailedAccounts',
      Namespace: 'DeepInspectionReconciler',
      Dimensions: [{ Name: 'service', Value: 'deep-inspection-reconciler' }],
      Statistic: 'Maximum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
  });

  it('graphs the EC2 scan configuration: accounts by VM scanner and scan mode, changes, failures, and each region', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const drawn of [
      'VmScannerActivatedAccounts',
      'VmScannerDeactivatedAccounts',
      'VmScannerFailedAccounts',
      'Ec2HybridAccounts',
      'Ec2SsmAgentBasedAccounts',
      'ScanConfigurationUpdated',
      'ScanConfigurationWouldUpdate',
      'ScanConfigurationNarrowingHeld',
      'ScanConfigurationPending',
      'ScanConfigurationFailed',
      'sum(scanConfiguration.vmScanner.FAILED)',
    ]) {
      expect(body).toContain(drawn);
    }
  });

  it('graphs what report-only rules would change, and the policy’s expiring rules and warnings', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    // Report-only mismatches from the runs' region totals lines (Logs Insights); the policy's from metrics.
    for (const drawn of ['totals.wouldActivate', 'totals.wouldDeactivate', 'ExpiringRules', 'PolicyWarnings']) {
      expect(body).toContain(drawn);
    }
  });

  it('warns at synth of what lint finds in policy.json: expired, expiring and unreachable rules, with their paths', () => {
    const directory = policyFileWith(
      JSON.stringify({
        version: 2,
        default: 'ACTIVATED',
        rules: [
          { name: 'all', organizationalUnits: ['r-ab12'], deepInspection: 'ACTIVATED' },
          { name: 'old', accounts: ['111122223333'], deepInspection: 'UNMANAGED', expires: '2020-01-01' },
        ],
      }),
    );
    const { stack } = synth({}, { baseDirectory: directory });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('policy.json'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining('$.rules[1].expires: expired on 2020-01-01'),
    ]);
  });

  it('graphs every region by metric search or by region lines, so regions added to the policy later show too', () => {
    const widgets = dashboardWidgets(template);
    const expressions = widgets.flatMap((widget) =>
      (widget.properties.metrics ?? []).flatMap((line) =>
        line.flatMap((item) => (typeof item === 'object' && 'expression' in item ? [item.expression] : [])),
      ),
    );
    expect(expressions).toContain(
      `SEARCH('{DeepInspectionReconciler,Region,service} MetricName="DeepInspectionCoverage"', 'Maximum', 3600)`,
    );
    // The other per-region counts: Logs Insights over every region's line, whichever regions there are.
    const queries = widgets.flatMap((widget) =>
      widget.properties.query === undefined ? [] : [widget.properties.query],
    );
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(query).not.toMatch(/[a-z]{2}-[a-z]+-\d/);
    // No region is fixed at synth in any graph: not the stack's, not the policy's.
    const lines = widgets.flatMap((widget) => widget.properties.metrics ?? []);
    expect(lines.filter((line) => line.includes('Region'))).toEqual([]);
  });

  it('outputs what an operator needs', () => {
    for (const name of [
      'FunctionName',
      'ConsoleTestEvent',
      'FailedAccountsQueueUrl',
      'RunFailuresQueueUrl',
      'NotificationDeadLetterQueueUrl',
      'PolicyParameterName',
      'ScheduleName',
      'DashboardName',
    ]) {
      template.hasOutput(name, {});
    }
    template.hasOutput('ConsoleTestEvent', { Value: '{"dryRun":true}' });
  });
});

describe('DeepInspectionStack configuration', () => {
  it('subscribes the alarm e-mail and uses an existing topic instead of creating one', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:security-alerts';
    const { template } = synth({ alarmEmail: 'security@example.com', alarmTopicArn: topicArn });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security@example.com',
      TopicArn: topicArn,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
  });

  it('sizes the staleness alarm and the dashboard from the schedule', () => {
    const directory = policyFileWith(
      JSON.stringify({ version: 1, default: 'ACTIVATED', regions: ['us-east-1', 'eu-west-1'] }),
    );
    const { template } = synth({ schedule: 'rate(30 minutes)', timeoutMinutes: 15 }, { baseDirectory: directory });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RunsCompleted', Period: 1800 });
    expect(JSON.stringify(dashboardWidgets(template))).toContain(`'Maximum', 1800)`);
    // The scan configuration's slice: a scheduled run verifies the part of the day its period covers.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SCHEDULE_PERIOD_SECONDS: '1800' }) },
    });
  });

  it('accepts a version 3 policy with scanConfiguration and rules with scanMode/vmScanner, and warns of what lint finds in it', () => {
    const text = JSON.stringify({
      version: 3,
      default: 'ACTIVATED',
      scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED' },
      rules: [
        { name: 'pilots', organizationalUnits: ['ou-ab12-34cd56ef'], vmScanner: 'ACTIVATED', enforcement: 'report' },
        { name: 'legacy', accounts: ['111122223333'], scanMode: 'EC2_SSM_AGENT_BASED', vmScanner: 'DEACTIVATED' },
      ],
    });
    const { stack, template } = synth({}, { baseDirectory: policyFileWith(text) });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/deep-inspection-reconciler/policy', Value: text });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('policy.json'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining('$.rules[1].vmScanner: "legacy" sets vmScanner DEACTIVATED (enforce)'),
    ]);
  });

  it('fails synth on a misspelt scan setting, with the value meant', () => {
    const directory = policyFileWith(
      JSON.stringify({ version: 3, default: 'ACTIVATED', scanConfiguration: { scanMode: 'EC2_HYBIRD' } }),
    );
    expect(() => synth({}, { baseDirectory: directory })).toThrow(
      /\$\.scanConfiguration\.scanMode \(line 1, column \d+\): "EC2_HYBIRD" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID; did you mean "EC2_HYBRID"\?/,
    );
  });

  it("fails synth with the validator's message when the policy file is invalid", () => {
    const directory = policyFileWith(
      '{"version": 1, "default": "ON", "rules": [{"name": "x", "accounts": ["12"], "deepInspection": "ACTIVATED"}]}',
    );
    expect(() => synth({}, { baseDirectory: directory })).toThrow(
      /Invalid policy \(.*policy.json\): 2 problems\n {2}- \$\.default \(line 1, column 27\): "ON" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "ACTIVATED"\?\n {2}- \$\.rules\[0\]\.accounts\[0\] \(line 1, column 70\): "12" is not a 12-digit account id/,
    );
  });

  it("synthesizes orgPackagePaths the 2026 model's Path pattern accepts and refuses what it refuses", () => {
    const withPaths = (paths: string[]) =>
      policyFileWith(JSON.stringify({ version: 2, default: 'ACTIVATED', orgPackagePaths: paths }));
    expect(() => synth({}, { baseDirectory: withPaths(['/opt/app.v1.2/lib', 'C:\\App\\lib']) })).not.toThrow();
    expect(() => synth({}, { baseDirectory: withPaths(['/opt/@scope/pkg']) })).toThrow(
      /\$\.orgPackagePaths\[0\].*"\/opt\/@scope\/pkg" is not a path Inspector accepts/,
    );
  });

  it('fails synth on a policy over 8 KB, the most an SSM parameter holds, naming the tier it is to be stored in', () => {
    const rules = Array.from({ length: 120 }, (_, i) => ({
      name: `rule number ${i}`,
      accounts: [String(100000000000 + i)],
      deepInspection: 'ACTIVATED',
    }));
    const directory = policyFileWith(JSON.stringify({ version: 1, default: 'ACTIVATED', rules }));
    // The default tier is Standard: its 4 KB is the limit the message names, not the Advanced tier's 8 KB.
    expect(() => synth({}, { baseDirectory: directory })).toThrow(
      /the policy is [\d,]+ bytes; an SSM parameter in the Standard tier holds at most 4,096 bytes: shorten it/,
    );
    expect(() => synth({ policyParameterTier: 'Advanced' }, { baseDirectory: directory })).toThrow(
      /the policy is [\d,]+ bytes; an SSM parameter in the Advanced tier holds at most 8,192 bytes: shorten it/,
    );
  });

  it('fails synth, without a stack trace, on a policy file that is missing or a directory, or not UTF-8', () => {
    const directory = policyFileWith('{}');
    expect(() => synth({ policyFile: 'nope.json' }, { baseDirectory: directory })).toThrow(
      /Invalid policy \(nope\.json\): 1 problem\n {2}- \$: no such file: check the path/,
    );
    expect(() => synth({ policyFile: '.' }, { baseDirectory: directory })).toThrow(/is a directory, not a file/);
    writeFileSync(
      path.join(directory, 'policy.json'),
      Buffer.concat([
        Buffer.from('{"version": 1,\n"default": "ACTIVATED", "x": "caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]),
    );
    expect(() => synth({}, { baseDirectory: directory })).toThrow(
      /not UTF-8: byte 48 \(0xe9\) on line 2 is not part of a UTF-8 character: save the file as UTF-8/,
    );
  });

  it('reads a policy file that starts with a byte order mark as the same policy, and stores it without the mark', () => {
    const document = JSON.stringify({ version: 1, default: 'ACTIVATED', regions: ['us-east-1'] });
    const directory = policyFileWith(`\uFEFF${document}`);
    synth({}, { baseDirectory: directory }).template.hasResourceProperties('AWS::SSM::Parameter', {
      Value: document,
    });
  });

  const largePolicy = () => {
    const rules = Array.from({ length: 60 }, (_, i) => ({
      name: `rule number ${i}`,
      accounts: [String(100000000000 + i)],
      deepInspection: 'ACTIVATED',
    }));
    return policyFileWith(JSON.stringify({ version: 1, default: 'ACTIVATED', rules }));
  };

  it('fails synth on a policy over 4 KB in a Standard parameter, saying to choose Advanced', () => {
    expect(() => synth({}, { baseDirectory: largePolicy() })).toThrow(
      /an SSM parameter in the Standard tier holds at most 4,096 bytes: shorten it, or store it in the Advanced tier \(cdk\.json "policyParameterTier": "Advanced"/,
    );
  });

  it('uses the advanced tier when asked, for a policy over 4 KB', () => {
    synth({ policyParameterTier: 'Advanced' }, { baseDirectory: largePolicy() }).template.hasResourceProperties(
      'AWS::SSM::Parameter',
      { Tier: 'Advanced' },
    );
  });

  it('keeps an Advanced parameter Advanced when the policy shrinks: CloudFormation cannot downgrade it', () => {
    synth({ policyParameterTier: 'Advanced' }).template.hasResourceProperties('AWS::SSM::Parameter', {
      Tier: 'Advanced',
    });
  });
});

describe('readConfig', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('says what a setting takes instead of zod’s "Invalid input"', () => {
    expect(() => readConfig(context({ runsNeverOverlap: 'yes' }))).toThrow(
      'runsNeverOverlap: "yes" is not one of true, false',
    );
  });

  it('has a default for every setting', () => {
    expect(readConfig(context({}))).toEqual({
      schedule: 'rate(1 hour)',
      coverageSchedule: 'rate(1 day)',
      policyParameterName: '/deep-inspection-reconciler/policy',
      policyFile: 'policy.json',
      policyParameterTier: 'Standard',
      logRetentionDays: 90,
      memoryMiB: 1024,
      timeoutMinutes: 15,
      runsNeverOverlap: true,
      keepEvidenceOnDestroy: true,
      cloudTrailManagementEvents: false,
      securityHubFindings: false,
      tags: {},
    });
  });

  it('reads whether a trail exists from the command line: -c cloudTrailManagementEvents=true', () => {
    expect(readConfig(context({ cloudTrailManagementEvents: 'true' }))).toMatchObject({
      cloudTrailManagementEvents: true,
    });
    expect(() => readConfig(context({ cloudTrailManagementEvents: 'yes' }))).toThrow(/cloudTrailManagementEvents/);
  });

  it('reads numbers given on the command line as strings, and treats empty strings as unset', () => {
    expect(readConfig(context({ memoryMiB: '2048', alarmEmail: '' }))).toMatchObject({ memoryMiB: 2048 });
    expect(readConfig(context({ alarmEmail: '' }))).not.toHaveProperty('alarmEmail');
  });

  it.each([
    ['a cron schedule', { schedule: 'cron(0 * * * ? *)' }, /schedule: .*not a rate expression/],
    ['a schedule over a day', { schedule: 'rate(2 days)' }, /longer than 1 day/],
    ['a wrong plural', { schedule: 'rate(1 hours)' }, /write "rate\(1 hour\)"/],
    ['an unknown retention', { logRetentionDays: 10 }, /logRetentionDays: must be one of 1, 3, 5/],
    ['too much memory', { memoryMiB: 20000 }, /memoryMiB/],
    ['a timeout past 15 minutes', { timeoutMinutes: 20 }, /timeoutMinutes/],
    ['a bad e-mail', { alarmEmail: 'security' }, /alarmEmail: must be an e-mail address/],
    ['a bad topic ARN', { alarmTopicArn: 'security-alerts' }, /alarmTopicArn: must be an SNS topic ARN/],
    ['a relative parameter name', { policyParameterName: 'policy' }, /policyParameterName/],
    ['tags that are not JSON', { tags: 'CostCenter=security' }, /tags: must be a JSON object of tag keys and values/],
    ['a tag value that is not a string', { tags: '{"CostCenter": 7}' }, /tags/],
    [
      'a whole number given as a fraction',
      { accountConcurrencyLimit: '1.5' },
      /accountConcurrencyLimit: must be a whole number, not 1\.5/,
    ],
    ['a memory size given as a fraction', { memoryMiB: '1024.5' }, /memoryMiB: must be a whole number, not 1024\.5/],
  ])('rejects %s with a message naming the setting', (_name, values, message) => {
    expect(() => readConfig(context(values))).toThrow(message);
  });

  // What AWS refuses in a tag (tag restrictions in every service's guide; the SSM model's TagKey and TagValue:
  // key 1-128, value 0-256, pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$; at most 50 tags a resource; "aws:" reserved).
  it.each([
    [
      'a key AWS reserves',
      { 'aws:owner': 'x' },
      /tags: key "aws:owner" starts with "aws:", which AWS reserves for its own tags: choose another key/,
    ],
    ['a key AWS reserves, in capitals', { 'AWS:owner': 'x' }, /tags: key "AWS:owner" starts with "aws:"/],
    ['an empty key', { '': 'x' }, /tags: a key is empty: a tag key takes 1 to 128 characters/],
    [
      'a key over 128 characters',
      { ['k'.repeat(129)]: 'x' },
      /tags: key "k{20}…" is 129 characters long: a tag key takes at most 128/,
    ],
    [
      'a value over 256 characters',
      { CostCenter: 'v'.repeat(257) },
      /tags: the value of "CostCenter" is 257 characters long: a tag value takes at most 256/,
    ],
    [
      'a key with a character AWS refuses',
      { 'bad!key': 'x' },
      /tags: key "bad!key" has "!": a tag takes letters, digits, spaces and _ \. : \/ = \+ - @/,
    ],
    ['a value with a character AWS refuses', { Team: 'a&b' }, /tags: the value of "Team" has "&": a tag takes letters/],
    [
      '51 tags',
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      /tags: 51 tags: a resource takes at most 50; drop 1/,
    ],
  ])('refuses at synth a tag AWS would refuse at deploy: %s', (_name, tags, message) => {
    expect(() => readConfig(context({ tags: JSON.stringify(tags) }))).toThrow(message);
    expect(() => readConfig(context({ tags }))).toThrow(message);
  });

  it('takes the tags AWS takes: 50 of them, 128-character keys, 256-character values, an empty value, any letter', () => {
    const tags = {
      ...Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v'])),
      ['k'.repeat(128)]: 'v'.repeat(256),
      'Équipe sécurité:/=+-@_.': 'données',
      Empty: '',
    };
    expect(readConfig(context({ tags: JSON.stringify(tags) })).tags).toEqual(tags);
  });
});

describe('the function role', () => {
  it('allows every Inspector, Organizations and Account operation the adapters call, and nothing they do not', () => {
    const directory = path.join(ROOT, 'lambda/reconciler/aws');
    // The Inspector adapter is inspector.ts and its scan configuration calls, inspector-configuration.ts.
    const source = [['inspector.ts', 'inspector-configuration.ts'], ['organizations.ts'], ['account-regions.ts']].map(
      (files) => files.map((file) => readFileSync(path.join(directory, file), 'utf8')).join('\n'),
    );
    const called = (text: string, prefix: string) => [
      ...[...text.matchAll(/new (\w+)Command\(/g)].map((m) => `${prefix}:${m[1]}`),
      ...[...text.matchAll(/paginate(\w+)\(/g)].map((m) => `${prefix}:${m[1]}`),
    ];
    const inspectorCalls = new Set(called(source[0] as string, 'inspector2'));
    const organizationsCalls = new Set(called(source[1] as string, 'organizations'));
    expect([...inspectorCalls].sort()).toEqual([...INSPECTOR_ACTIONS].sort());
    expect([...organizationsCalls].sort()).toEqual([...ORGANIZATIONS_ACTIONS].sort());
    expect([...new Set(called(source[2] as string, 'account'))].sort()).toEqual([...ACCOUNT_ACTIONS].sort());
  });
});

describe('a deploy that works, and keeps the evidence', () => {
  it('keeps the log group and the three failure queues on cdk destroy by default; the schedule’s DLQ goes', () => {
    const { template } = synth();
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const queues = template.findResources('AWS::SQS::Queue');
    const policyOf = (prefix: string) =>
      Object.entries(queues).find(([id]) => id.startsWith(`Queues${prefix}`))?.[1].DeletionPolicy;
    expect(policyOf('FailedAccounts')).toBe('Retain');
    expect(policyOf('RunFailures')).toBe('Retain');
    expect(policyOf('NotificationDeadLetters')).toBe('Retain');
    expect(policyOf('ScheduleDeadLetters')).toBe('Delete');
  });

  it('removes everything when asked: -c keepEvidenceOnDestroy=false', () => {
    const { template } = synth({ keepEvidenceOnDestroy: false });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) {
      expect(queue.DeletionPolicy).toBe('Delete');
    }
  });

  it('reserves concurrency 1 by default, and none with runsNeverOverlap=false', () => {
    synth().template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
    const loose = synth({ runsNeverOverlap: false }).template;
    for (const fn of Object.values(loose.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  // Lambda keeps min(100, quota) unreserved: the guide's "minus 100", and the deploy errors' "minimum value of
  // [10]" and "[50]" in accounts whose quota was 10 and 50. Any quota of 100 or less cannot spare one.
  it.each([10, 11, 50, 100])(
    'fails synth, saying what to do, where the account’s concurrency quota (%i) cannot spare one',
    (limit) => {
      expect(() => synth({ accountConcurrencyLimit: limit })).toThrow(
        new RegExp(
          `concurrency limit is ${limit}: reserving 1 .* leave ${limit - 1} unreserved, and Lambda keeps ${Math.min(100, limit)}.*-c runsNeverOverlap=false`,
          's',
        ),
      );
      expect(() => synth({ accountConcurrencyLimit: limit, runsNeverOverlap: false })).not.toThrow();
    },
  );

  it.each([
    [
      'another region',
      'arn:aws:sns:eu-west-1:111122223333:x',
      /alarmTopicArn .*eu-west-1.*this stack deploys to us-east-1/,
    ],
    ['another partition', 'arn:aws-us-gov:sns:us-east-1:111122223333:x', /alarmTopicArn .*aws-us-gov.*partition aws/],
  ])(
    'refuses an alarm topic in %s: CloudWatch and EventBridge publish only to a topic of their own region',
    (_case, arn, message) => {
      const app = testApp();
      const build = () =>
        new DeepInspectionStack(app, 'East', {
          env: { account: '111122223333', region: 'us-east-1' },
          config: { ...defaults, alarmTopicArn: arn },
          baseDirectory: ROOT,
        });
      expect(build).toThrow(message);
    },
  );

  it('synthesizes where the quota leaves 100 unreserved after the reservation', () => {
    expect(() => synth({ accountConcurrencyLimit: 101 })).not.toThrow();
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown region', ['eu-west-1', 'eu-moon-1'], /"eu-moon-1" is not an AWS region name/],
    [
      'a region of another partition',
      ['eu-west-1', 'us-gov-west-1'],
      // The policy's own validation refuses it first, as the function and the CLI do.
      /us-gov-west-1 is in the aws-us-gov partition and \$\.regions\[0\] eu-west-1 in aws: one deployment serves one partition/,
    ],
    ['a China region', ['cn-north-1'], /cn-north-1 is in the aws-cn partition/],
  ])('fails synth on %s, naming it', (_what, regions, message) => {
    const directory = policyFileWith(JSON.stringify({ version: 1, default: 'ACTIVATED', regions }));
    expect(() => synth({}, { baseDirectory: directory })).toThrow(message);
  });

  it('fails synth on a schedule shorter than the timeout: runs could overlap', () => {
    expect(() => synth({ schedule: 'rate(10 minutes)', timeoutMinutes: 15 })).toThrow(
      /schedule "rate\(10 minutes\)" is shorter than the function's timeout \(15 minutes\)/,
    );
    expect(() => synth({ schedule: 'rate(15 minutes)', timeoutMinutes: 15 })).not.toThrow();
  });

  it('fails synth on a timeout that leaves no room for the deadline margin and a run', () => {
    expect(() => synth({ timeoutMinutes: 1 })).toThrow(/timeoutMinutes 1 leaves no room for a run.*Use at least 2/);
    expect(() => synth({ timeoutMinutes: 2 })).not.toThrow();
  });
});

describe('a safe first deploy', () => {
  it('ships a policy that writes nothing until the operator says so: every decision report-only', () => {
    const policy = parsePolicy(readFileSync(path.join(ROOT, 'policy.json'), 'utf8'), 'policy.json');
    expect(policy.default.enforcement).toBe('report');
    expect(policy.rules.every((rule) => rule.enforcement === 'report')).toBe(true);
  });
});

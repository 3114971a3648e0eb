import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import {
  ACCOUNT,
  type Decision,
  evaluate,
  FOREIGN_ACCOUNT,
  PARTITION,
  type PolicyRequest,
  REGION,
  ResolvedTemplate,
} from '../support/template-policies';
import { testApp } from '../support/app';

// Every resource policy of the stack and its roles, EVALUATED (@cloud-copilot/iam-simulate, a devDependency)
// against the requests the AWS services really make, with the context keys they send:
// - CloudWatch alarm actions publish to SNS as cloudwatch.amazonaws.com with aws:SourceArn (the alarm's ARN)
//   and aws:SourceAccount (SNS Developer Guide, "Example cases for Amazon SNS access control" and
//   "Key management": the key statement for AWS service event sources, conditions included).
// - EventBridge rule targets publish as events.amazonaws.com with aws:SourceArn (the rule's ARN) and
//   aws:SourceAccount (EventBridge User Guide, "Cross-service confused deputy prevention"); to the topic's
//   KMS key WITHOUT them: "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported
//   for EventBridge-to-encrypted topics" (SNS Developer Guide, "Key management", "Enable compatibility between
//   event sources from AWS services and encrypted topics"; landing-zone-accelerator-on-aws issue 407).
// - EventBridge sends an undeliverable event to a rule target's dead-letter queue as events.amazonaws.com with
//   aws:SourceArn, the rule's ARN (EventBridge User Guide, "Using dead-letter queues", "Granting permissions
//   to the dead-letter queue").
// - EventBridge Scheduler assumes the schedule's role as scheduler.amazonaws.com with aws:SourceAccount and
//   aws:SourceArn, the schedule's ARN (EventBridge Scheduler User Guide, "Setting up the execution role"),
//   then invokes the target and sends to the schedule's dead-letter queue with that role.
// - Lambda sends a failed asynchronous invocation to its on-failure destination with the function's
//   execution role (Lambda Developer Guide, "Capturing records of asynchronous invocations").
// - Every request here is over TLS (aws:SecureTransport true) unless a test says otherwise.

const TLS = { 'aws:SecureTransport': 'true' };

function synth(config: Partial<ReconcilerConfig> = {}) {
  const app = testApp();
  const stack = new DeepInspectionStack(app, 'Test', {
    env: { account: ACCOUNT, region: REGION },
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: path.join(__dirname, '..', '..'),
  });
  return new ResolvedTemplate(Template.fromStack(stack), 'Test');
}

const template = synth();
/** The stack deployed with the findings step: the role's Security Hub statements are evaluated against it. */
const withFindings = synth({ securityHubFindings: true });
const topic = template.logicalId('AWS::SNS::Topic', 'AlarmsTopic');
const key = template.logicalId('AWS::KMS::Key', 'AlarmsTopicKey');
const topicArn = template.arn(topic);
const keyArn = template.arn(key);

const alarmArn = (name: string, account = ACCOUNT) => `arn:${PARTITION}:cloudwatch:${REGION}:${account}:alarm:${name}`;
const ruleArn = (name: string, account = ACCOUNT) => `arn:${PARTITION}:events:${REGION}:${account}:rule/${name}`;
const fromAlarm = (name: string, account = ACCOUNT) => ({
  ...TLS,
  'aws:SourceArn': alarmArn(name, account),
  'aws:SourceAccount': account,
});
const fromRule = (name: string, account = ACCOUNT) => ({
  ...TLS,
  'aws:SourceArn': ruleArn(name, account),
  'aws:SourceAccount': account,
});

async function expectDecisions(cases: [string, PolicyRequest, Decision][]) {
  const decided = await Promise.all(cases.map(async ([what, request]) => [what, await evaluate(request)] as const));
  expect(Object.fromEntries(decided)).toEqual(Object.fromEntries(cases.map(([what, , decision]) => [what, decision])));
}

describe('the alarm topic’s policy, evaluated', () => {
  const policy = template.topicPolicy(topic);
  const publish = (principal: string, context: Record<string, string>): PolicyRequest => ({
    principal,
    action: 'sns:Publish',
    resource: topicArn,
    context,
    resourcePolicy: policy,
  });

  it('lets CloudWatch publish for this stack’s alarms, and refuses other alarms and other accounts', async () => {
    await expectDecisions([
      ['this stack’s alarm', publish('cloudwatch.amazonaws.com', fromAlarm('Test-FunctionErrors')), 'Allowed'],
      [
        'another stack’s alarm',
        publish('cloudwatch.amazonaws.com', fromAlarm('Other-FunctionErrors')),
        'ImplicitlyDenied',
      ],
      [
        'an alarm in another account',
        publish('cloudwatch.amazonaws.com', fromAlarm('Test-FunctionErrors', FOREIGN_ACCOUNT)),
        'ImplicitlyDenied',
      ],
      ['no source at all', publish('cloudwatch.amazonaws.com', TLS), 'ImplicitlyDenied'],
    ]);
  });

  it('lets EventBridge publish for this stack’s two rules, and refuses other rules and other accounts', async () => {
    await expectDecisions([
      ['PolicyChanged', publish('events.amazonaws.com', fromRule('Test-PolicyChanged')), 'Allowed'],
      ['AlarmRecovered', publish('events.amazonaws.com', fromRule('Test-AlarmRecovered')), 'Allowed'],
      ['another rule', publish('events.amazonaws.com', fromRule('Test-SomethingElse')), 'ImplicitlyDenied'],
      [
        'the same rule name in another account',
        publish('events.amazonaws.com', fromRule('Test-PolicyChanged', FOREIGN_ACCOUNT)),
        'ImplicitlyDenied',
      ],
    ]);
  });

  it('with securityHubFindings, lets CloudWatch publish for the findings’ two alarms too', async () => {
    const findingsTopic = withFindings.logicalId('AWS::SNS::Topic', 'AlarmsTopic');
    const publishThere = (alarm: string): PolicyRequest => ({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: withFindings.arn(findingsTopic),
      context: fromAlarm(alarm),
      resourcePolicy: withFindings.topicPolicy(findingsTopic),
    });
    await expectDecisions([
      ['SecurityHubNotEnabled', publishThere('Test-SecurityHubNotEnabled'), 'Allowed'],
      ['FindingsNotImported', publishThere('Test-FindingsNotImported'), 'Allowed'],
    ]);
  });

  it('refuses a publish without TLS, and anyone else', async () => {
    await expectDecisions([
      [
        'this stack’s rule without TLS',
        publish('events.amazonaws.com', { ...fromRule('Test-PolicyChanged'), 'aws:SecureTransport': 'false' }),
        'ExplicitlyDenied',
      ],
      ['a role in another account', publish(`arn:aws:iam::${FOREIGN_ACCOUNT}:role/Publisher`, TLS), 'ImplicitlyDenied'],
      ['another service', publish('s3.amazonaws.com', fromAlarm('Test-FunctionErrors')), 'ImplicitlyDenied'],
    ]);
  });
});

describe('the alarm topic’s KMS key policy, evaluated', () => {
  const policy = template.keyPolicy(key);
  const use = (principal: string, action: string, context: Record<string, string> = {}): PolicyRequest => ({
    principal,
    action,
    resource: keyArn,
    context,
    resourcePolicy: policy,
  });

  it('lets EventBridge use the key as it really asks: without aws:SourceArn or aws:SourceAccount', async () => {
    // The fault: with the source conditions, every PolicyChanged and AlarmRecovered message failed here.
    await expectDecisions([
      ['GenerateDataKey', use('events.amazonaws.com', 'kms:GenerateDataKey'), 'Allowed'],
      ['Decrypt', use('events.amazonaws.com', 'kms:Decrypt'), 'Allowed'],
    ]);
  });

  it('lets CloudWatch use the key for this stack’s alarms only', async () => {
    await expectDecisions([
      [
        'GenerateDataKey',
        use('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', fromAlarm('Test-NoSuccessfulRun')),
        'Allowed',
      ],
      ['Decrypt', use('cloudwatch.amazonaws.com', 'kms:Decrypt', fromAlarm('Test-NoSuccessfulRun')), 'Allowed'],
      [
        'another stack’s alarm',
        use('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', fromAlarm('Other-Alarm')),
        'ImplicitlyDenied',
      ],
      [
        'an alarm in another account',
        use('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', fromAlarm('Test-NoSuccessfulRun', FOREIGN_ACCOUNT)),
        'ImplicitlyDenied',
      ],
    ]);
  });

  it('refuses the services any other action, and any other principal', async () => {
    await expectDecisions([
      ['EventBridge Encrypt', use('events.amazonaws.com', 'kms:Encrypt'), 'ImplicitlyDenied'],
      ['EventBridge ReEncryptFrom', use('events.amazonaws.com', 'kms:ReEncryptFrom'), 'ImplicitlyDenied'],
      ['EventBridge CreateGrant', use('events.amazonaws.com', 'kms:CreateGrant'), 'ImplicitlyDenied'],
      ['EventBridge ScheduleKeyDeletion', use('events.amazonaws.com', 'kms:ScheduleKeyDeletion'), 'ImplicitlyDenied'],
      ['CloudWatch Encrypt', use('cloudwatch.amazonaws.com', 'kms:Encrypt', fromAlarm('Test-X')), 'ImplicitlyDenied'],
      ['S3', use('s3.amazonaws.com', 'kms:GenerateDataKey'), 'ImplicitlyDenied'],
      ['SNS itself', use('sns.amazonaws.com', 'kms:Decrypt'), 'ImplicitlyDenied'],
      [
        'a role in another account',
        use(`arn:aws:iam::${FOREIGN_ACCOUNT}:role/Reader`, 'kms:Decrypt'),
        'ImplicitlyDenied',
      ],
    ]);
  });

  it('leaves this account’s principals to IAM (the key policy’s account statement), no other account', async () => {
    const grant = {
      name: 'grant',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }] },
    };
    await expectDecisions([
      [
        'a role here with an IAM grant',
        { ...use(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'kms:Decrypt'), identityPolicies: [grant] },
        'Allowed',
      ],
      ['a role here without one', use(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'kms:Decrypt'), 'ImplicitlyDenied'],
      [
        'a role elsewhere with one',
        { ...use(`arn:aws:iam::${FOREIGN_ACCOUNT}:role/Admin`, 'kms:Decrypt'), identityPolicies: [grant] },
        'ImplicitlyDenied',
      ],
    ]);
  });
});

describe('the notification rules’ dead-letter queue policy, evaluated', () => {
  // Looked up when a test runs, so that a stack without the queue fails these tests rather than the suite.
  const send = (principal: string, context: Record<string, string>): PolicyRequest => {
    const queue = template.logicalId('AWS::SQS::Queue', 'QueuesNotificationDeadLetters');
    return {
      principal,
      action: 'sqs:SendMessage',
      resource: template.arn(queue),
      context,
      resourcePolicy: template.queuePolicy(queue),
    };
  };
  const fromRuleArn = (name: string, account = ACCOUNT) => ({ ...TLS, 'aws:SourceArn': ruleArn(name, account) });

  it('lets EventBridge send the undeliverable events of this stack’s rules, and no other rule’s', async () => {
    await expectDecisions([
      ['PolicyChanged', send('events.amazonaws.com', fromRuleArn('Test-PolicyChanged')), 'Allowed'],
      ['AlarmRecovered', send('events.amazonaws.com', fromRuleArn('Test-AlarmRecovered')), 'Allowed'],
      ['another rule', send('events.amazonaws.com', fromRuleArn('Test-SomethingElse')), 'ImplicitlyDenied'],
      [
        'the same rule name in another account',
        send('events.amazonaws.com', fromRuleArn('Test-PolicyChanged', FOREIGN_ACCOUNT)),
        'ImplicitlyDenied',
      ],
      [
        'without TLS',
        send('events.amazonaws.com', { ...fromRuleArn('Test-PolicyChanged'), 'aws:SecureTransport': 'false' }),
        'ExplicitlyDenied',
      ],
      ['a role here with no grant', send(`arn:aws:iam::${ACCOUNT}:role/Other`, TLS), 'ImplicitlyDenied'],
    ]);
  });
});

describe('the schedule’s role and dead-letter queue, evaluated', () => {
  const role = template.logicalId('AWS::IAM::Role', 'ScheduleRole');
  const roleArn = template.arn(role);
  const fn = template.logicalId('AWS::Lambda::Function', 'ReconcilerFunction');
  const scheduleQueue = template.logicalId('AWS::SQS::Queue', 'QueuesScheduleDeadLetters');
  const failedAccounts = template.logicalId('AWS::SQS::Queue', 'QueuesFailedAccounts');
  const schedule = template.logicalId('AWS::Scheduler::Schedule', 'Schedule');
  const asRole = (action: string, resource: string, queue?: string, context: Record<string, string> = TLS) => ({
    principal: roleArn,
    action,
    resource,
    context,
    identityPolicies: template.identityPolicies(role),
    ...(queue ? { resourcePolicy: template.queuePolicy(queue) } : {}),
  });
  const assume = (principal: string, context: Record<string, string>): PolicyRequest => ({
    principal,
    action: 'sts:AssumeRole',
    resource: roleArn,
    context,
    resourcePolicy: template.trustPolicy(role),
  });

  it('is assumed by EventBridge Scheduler for this account’s schedules only', async () => {
    const scheduleArn = template.arn(schedule);
    await expectDecisions([
      [
        'this account’s schedule',
        assume('scheduler.amazonaws.com', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': scheduleArn }),
        'Allowed',
      ],
      [
        'another account’s schedule',
        assume('scheduler.amazonaws.com', {
          'aws:SourceAccount': FOREIGN_ACCOUNT,
          'aws:SourceArn': scheduleArn.replace(ACCOUNT, FOREIGN_ACCOUNT),
        }),
        'ImplicitlyDenied',
      ],
      ['Lambda', assume('lambda.amazonaws.com', { 'aws:SourceAccount': ACCOUNT }), 'ImplicitlyDenied'],
    ]);
  });

  it('may invoke this function and send to the schedule’s dead-letter queue over TLS, nothing else', async () => {
    const functionArn = template.arn(fn);
    await expectDecisions([
      ['invoke the function', asRole('lambda:InvokeFunction', functionArn), 'Allowed'],
      ['invoke a version of it', asRole('lambda:InvokeFunction', `${functionArn}:1`), 'Allowed'],
      [
        'invoke another function',
        asRole('lambda:InvokeFunction', functionArn.replace(/function:.*/, 'function:Other')),
        'ImplicitlyDenied',
      ],
      ['send to its DLQ', asRole('sqs:SendMessage', template.arn(scheduleQueue), scheduleQueue), 'Allowed'],
      [
        'send to its DLQ without TLS',
        asRole('sqs:SendMessage', template.arn(scheduleQueue), scheduleQueue, { 'aws:SecureTransport': 'false' }),
        'ExplicitlyDenied',
      ],
      [
        'send to another queue',
        asRole('sqs:SendMessage', template.arn(failedAccounts), failedAccounts),
        'ImplicitlyDenied',
      ],
      ['read its DLQ', asRole('sqs:ReceiveMessage', template.arn(scheduleQueue), scheduleQueue), 'ImplicitlyDenied'],
    ]);
  });
});

describe('the function’s role, evaluated', () => {
  const role = template.logicalId('AWS::IAM::Role', 'ReconcilerRole');
  const identityPolicies = template.identityPolicies(role);
  const queueArn = (prefix: string) => template.arn(template.logicalId('AWS::SQS::Queue', prefix));
  const parameterArn = (prefix: string) =>
    `arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter${template.ref(template.logicalId('AWS::SSM::Parameter', prefix))}`;
  // The ledger is no CloudFormation parameter (a custom resource creates it once): its name is the policy's, derived.
  const ledgerArn = `${parameterArn('Policy')}-guardrail-ledger`;
  const logGroup = template.ref(template.logicalId('AWS::Logs::LogGroup', 'ReconcilerLogGroup'));
  const logStream = (group: string) =>
    `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`;
  // Organizations' resources belong to the management account, but a delegated administrator's List* calls are
  // authorized by its own identity policy plus Organizations' delegation, not by a resource policy there: so the
  // simulator judges them as same-account requests, which evaluates exactly the role's identity policy.
  const organizations = (tail: string) => `arn:${PARTITION}:organizations::999988887777:${tail}`;

  /** Every request the function makes, on the resource it makes it on. */
  const calls: { action: string; resource: string; queue?: string; context?: Record<string, string> }[] = [
    { action: 'ssm:GetParameter', resource: parameterArn('Policy') },
    { action: 'ssm:GetParameter', resource: ledgerArn },
    { action: 'ssm:PutParameter', resource: ledgerArn },
    // SendMessageBatch is authorized as sqs:SendMessage (SQS API Reference, SendMessageBatch).
    { action: 'sqs:SendMessage', resource: queueArn('QueuesFailedAccounts'), queue: 'QueuesFailedAccounts' },
    // Lambda's on-failure destination sends with the function's role.
    { action: 'sqs:SendMessage', resource: queueArn('QueuesRunFailures'), queue: 'QueuesRunFailures' },
    { action: 'logs:CreateLogStream', resource: logStream(logGroup) },
    { action: 'logs:PutLogEvents', resource: logStream(logGroup) },
    ...[
      'BatchGetAccountStatus',
      'BatchGetMemberEc2DeepInspectionStatus',
      'BatchUpdateMemberEc2DeepInspectionStatus',
      'GetConfiguration',
      // Whether this account is the delegated administrator, before each region's member reads.
      'GetDelegatedAdminAccount',
      'GetEc2DeepInspectionConfiguration',
      'ListCoverage',
      // A member's EC2 scan configuration, and the administrator's own (issue 26).
      'UpdateConfiguration',
      'UpdateEc2DeepInspectionConfiguration',
      'UpdateOrgEc2DeepInspectionConfiguration',
    ].map((name) => ({ action: `inspector2:${name}`, resource: '*' })),
    { action: 'organizations:ListAccounts', resource: '*' },
    { action: 'organizations:ListRoots', resource: '*' },
    ...['ListAccountsForParent', 'ListOrganizationalUnitsForParent'].flatMap((name) => [
      { action: `organizations:${name}`, resource: organizations('root/o-a1b2c3d4e5/r-ab12') },
      {
        action: `organizations:${name}`,
        resource: organizations('ou/o-a1b2c3d4e5/ou-ab12-cdef3456'),
      },
    ]),
    {
      action: 'organizations:ListParents',
      resource: organizations(`account/o-a1b2c3d4e5/${ACCOUNT}`),
    },
    // Which regions this account has enabled: ListRegions without AccountId acts on the caller's own account.
    { action: 'account:ListRegions', resource: `arn:${PARTITION}:account::${ACCOUNT}:account` },
    // A run scoped to a few accounts reads each with DescribeAccount (resource type: account).
    {
      action: 'organizations:DescribeAccount',
      resource: organizations(`account/o-a1b2c3d4e5/${ACCOUNT}`),
    },
    {
      action: 'organizations:ListParents',
      resource: organizations('ou/o-a1b2c3d4e5/ou-ab12-cdef3456'),
    },
    // Why EC2 scanning is off in an account: its effective Inspector policy (resource type: account).
    {
      action: 'organizations:DescribeEffectivePolicy',
      resource: organizations(`account/o-a1b2c3d4e5/${ACCOUNT}`),
      context: { 'organizations:PolicyType': 'INSPECTOR_POLICY' },
    },
  ];

  /**
   * The findings step's requests, as Security Hub authorizes them (Service Authorization Reference, AWS
   * Security Hub): BatchImportFindings against the product the findings name, this account's default
   * product in the region called, any policy region; GetFindings against the region's hub.
   */
  const product = (region: string, account = ACCOUNT) =>
    `arn:${PARTITION}:securityhub:${region}:${account}:product/${account}/default`;
  const hub = (region: string) => `arn:${PARTITION}:securityhub:${region}:${ACCOUNT}:hub/default`;
  const findingsCalls: { action: string; resource: string }[] = [REGION, 'us-east-1', 'ap-southeast-2'].flatMap(
    (region) => [
      { action: 'securityhub:BatchImportFindings', resource: product(region) },
      { action: 'securityhub:GetFindings', resource: hub(region) },
    ],
  );

  const request = (
    call: { action: string; resource: string; queue?: string; context?: Record<string, string> },
    context: Record<string, string> = { ...TLS, ...call.context },
    stack: ResolvedTemplate = template,
  ) => ({
    principal: stack.arn(stack.logicalId('AWS::IAM::Role', 'ReconcilerRole')),
    action: call.action,
    resource: call.resource,
    context,
    identityPolicies:
      stack === template
        ? identityPolicies
        : stack.identityPolicies(stack.logicalId('AWS::IAM::Role', 'ReconcilerRole')),
    ...(call.queue ? { resourcePolicy: stack.queuePolicy(stack.logicalId('AWS::SQS::Queue', call.queue)) } : {}),
  });

  it('is assumed by Lambda alone', async () => {
    const assume = (principal: string): PolicyRequest => ({
      principal,
      action: 'sts:AssumeRole',
      resource: template.arn(role),
      resourcePolicy: template.trustPolicy(role),
    });
    await expectDecisions([
      ['Lambda', assume('lambda.amazonaws.com'), 'Allowed'],
      ['Scheduler', assume('scheduler.amazonaws.com'), 'ImplicitlyDenied'],
      ['a role in another account', assume(`arn:aws:iam::${FOREIGN_ACCOUNT}:role/Anyone`), 'ImplicitlyDenied'],
    ]);
  });

  it('allows every call the function makes, on the resource it makes it on', async () => {
    await expectDecisions(calls.map((call) => [`${call.action} ${call.resource}`, request(call), 'Allowed']));
  });

  it("reads an account's effective Inspector policy (DescribeEffectivePolicy, resource type account) and no other policy type", async () => {
    const effective = (policyType: string) =>
      request(
        {
          action: 'organizations:DescribeEffectivePolicy',
          resource: organizations(`account/o-a1b2c3d4e5/${FOREIGN_ACCOUNT}`),
        },
        { ...TLS, 'organizations:PolicyType': policyType },
      );
    await expectDecisions([
      ['INSPECTOR_POLICY', effective('INSPECTOR_POLICY'), 'Allowed'],
      ['TAG_POLICY', effective('TAG_POLICY'), 'ImplicitlyDenied'],
      ['SERVICE_CONTROL_POLICY', effective('SERVICE_CONTROL_POLICY'), 'ImplicitlyDenied'],
    ]);
  });

  it('with securityHubFindings, allows the findings step’s calls too, and every other call as before', async () => {
    await expectDecisions(
      [...calls, ...findingsCalls].map((call) => [
        `${call.action} ${call.resource}`,
        request(call, undefined, withFindings),
        'Allowed',
      ]),
    );
  });

  it('without securityHubFindings (the default), refuses every Security Hub call', async () => {
    await expectDecisions(
      findingsCalls.map((call) => [`${call.action} ${call.resource}`, request(call), 'ImplicitlyDenied']),
    );
  });

  it('with securityHubFindings, refuses what the findings step does not do', async () => {
    const other = (action: string, resource: string) => request({ action, resource }, TLS, withFindings);
    await expectDecisions([
      // People own Workflow, Note and the rest: the function never writes them.
      ['update findings', other('securityhub:BatchUpdateFindings', hub(REGION)), 'ImplicitlyDenied'],
      [
        "import into another account's product",
        other('securityhub:BatchImportFindings', product(REGION, FOREIGN_ACCOUNT)),
        'ImplicitlyDenied',
      ],
      [
        "import into a partner's product",
        other(
          'securityhub:BatchImportFindings',
          `arn:${PARTITION}:securityhub:${REGION}:${ACCOUNT}:product/acme/scanner`,
        ),
        'ImplicitlyDenied',
      ],
      ['disable Security Hub', other('securityhub:DisableSecurityHub', hub(REGION)), 'ImplicitlyDenied'],
      ['create an automation rule', other('securityhub:CreateAutomationRule', '*'), 'ImplicitlyDenied'],
    ]);
  });

  it('covers every operation the adapters call (a new call needs its row above)', () => {
    const directory = path.join(__dirname, '..', '..', 'lambda', 'reconciler', 'aws');
    const prefixes: Record<string, string> = {
      'client-inspector2': 'inspector2',
      'client-organizations': 'organizations',
      'client-ssm': 'ssm',
      'client-sqs': 'sqs',
      'client-account': 'account',
      // Granted only with the stack's securityHubFindings setting: its rows are findingsCalls, evaluated against that stack.
      'client-securityhub': 'securityhub',
    };
    // The IAM action that authorizes an operation, where its name differs (SQS API Reference, SendMessageBatch).
    const authorizedAs: Record<string, string> = { 'sqs:SendMessageBatch': 'sqs:SendMessage' };
    const called = readdirSync(directory)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => {
        const text = readFileSync(path.join(directory, file), 'utf8');
        const client = /from '@aws-sdk\/(client-[a-z0-9-]+)'/.exec(text)?.[1];
        if (!client) return [];
        const prefix = prefixes[client];
        if (!prefix) throw new Error(`${file} calls ${client}: add its IAM prefix and its calls to this test`);
        return [...text.matchAll(/new (\w+)Command\(|paginate(\w+)\(/g)].map((m) => {
          const action = `${prefix}:${m[1] ?? m[2]}`;
          return authorizedAs[action] ?? action;
        });
      });
    expect(called.length).toBeGreaterThan(10);
    expect(called.filter((action) => action.startsWith('securityhub:')).length).toBeGreaterThan(0);
    expect(
      [...new Set(called)].filter((action) => ![...calls, ...findingsCalls].some((call) => call.action === action)),
    ).toEqual([]);
  });

  it('refuses what the function does not do: writing the policy, other parameters, queues and services', async () => {
    const other = (action: string, resource: string, queue?: string) =>
      request({ action, resource, ...(queue ? { queue } : {}) });
    await expectDecisions([
      ['write the policy parameter', other('ssm:PutParameter', parameterArn('Policy')), 'ImplicitlyDenied'],
      [
        "list another account's regions",
        other(
          'account:ListRegions',
          `arn:${PARTITION}:account::${FOREIGN_ACCOUNT}:account/o-a1b2c3d4e5/${FOREIGN_ACCOUNT}`,
        ),
        'ImplicitlyDenied',
      ],
      [
        'enable a region',
        other('account:EnableRegion', `arn:${PARTITION}:account::${ACCOUNT}:account`),
        'ImplicitlyDenied',
      ],
      ['delete the ledger', other('ssm:DeleteParameter', ledgerArn), 'ImplicitlyDenied'],
      [
        'read another parameter',
        other('ssm:GetParameter', `arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter/other/secret`),
        'ImplicitlyDenied',
      ],
      [
        'send to the notification DLQ',
        other('sqs:SendMessage', queueArn('QueuesNotificationDeadLetters'), 'QueuesNotificationDeadLetters'),
        'ImplicitlyDenied',
      ],
      [
        'send to a queue elsewhere',
        other('sqs:SendMessage', `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:other`),
        'ImplicitlyDenied',
      ],
      [
        'read the failed-accounts queue',
        other('sqs:ReceiveMessage', queueArn('QueuesFailedAccounts'), 'QueuesFailedAccounts'),
        'ImplicitlyDenied',
      ],
      [
        'purge the failed-accounts queue',
        other('sqs:PurgeQueue', queueArn('QueuesFailedAccounts'), 'QueuesFailedAccounts'),
        'ImplicitlyDenied',
      ],
      ['write another log group', other('logs:PutLogEvents', logStream('/aws/lambda/other')), 'ImplicitlyDenied'],
      ['disable Inspector', other('inspector2:Disable', '*'), 'ImplicitlyDenied'],
      ['disassociate a member', other('inspector2:DisassociateMember', '*'), 'ImplicitlyDenied'],
      ['leave the organization', other('organizations:LeaveOrganization', '*'), 'ImplicitlyDenied'],
      // Sets each account's EC2 scan configuration (UpdateConfiguration, allowed above), nothing else of Inspector's.
      ['change Inspector’s encryption key', other('inspector2:UpdateEncryptionKey', '*'), 'ImplicitlyDenied'],
      ['enable Inspector', other('inspector2:Enable', '*'), 'ImplicitlyDenied'],
      ['publish to the alarm topic', other('sns:Publish', topicArn), 'ImplicitlyDenied'],
      ['use the topic’s key', other('kms:Decrypt', keyArn), 'ImplicitlyDenied'],
    ]);
  });

  it('sends to its queues over TLS only', async () => {
    await expectDecisions(
      ['QueuesFailedAccounts', 'QueuesRunFailures'].map((queue) => [
        queue,
        request({ action: 'sqs:SendMessage', resource: queueArn(queue), queue }, { 'aws:SecureTransport': 'false' }),
        'ExplicitlyDenied',
      ]),
    );
  });
});

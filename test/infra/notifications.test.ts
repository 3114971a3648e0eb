import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { alarmStateChange, parameterStoreChange, ssmCallViaCloudTrail } from '../support/aws-events';
import { type EventPattern, matchesEventPattern } from '../support/event-pattern';
import { ACCOUNT, REGION, ResolvedTemplate } from '../support/template-policies';
import { testApp } from '../support/app';

// Every notification path of the stack, proven by matching AWS-shaped events (test/support/aws-events.ts,
// after AWS's own examples) against the synthesized rules with an offline matcher
// (test/support/event-pattern.ts, itself held to the EventBridge User Guide's examples).

const POLICY = '/deep-inspection-reconciler/policy';

function synth(config: Partial<ReconcilerConfig> = {}) {
  const app = testApp();
  const stack = new DeepInspectionStack(app, 'Test', {
    env: { account: ACCOUNT, region: REGION },
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: path.join(__dirname, '..', '..'),
  });
  const template = Template.fromStack(stack);
  return { template, resolved: new ResolvedTemplate(template, 'Test') };
}

interface Rule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly targets: { Arn: unknown; DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: unknown }[];
}

function rules(synthesized: ReturnType<typeof synth>): Rule[] {
  return Object.values(synthesized.template.findResources('AWS::Events::Rule')).map((rule) => ({
    name: rule.Properties.Name,
    pattern: synthesized.resolved.resolve(rule.Properties.EventPattern) as EventPattern,
    targets: rule.Properties.Targets,
  }));
}

/** The messages the alarm topic receives for these events: one per (rule, event) that matches. */
function messages(synthesized: ReturnType<typeof synth>, events: unknown[]): string[] {
  const topic = synthesized.resolved.logicalId('AWS::SNS::Topic', 'AlarmsTopic');
  return rules(synthesized)
    .filter((rule) => rule.targets.some((target) => (target.Arn as { Ref?: string }).Ref === topic))
    .flatMap((rule) => events.filter((event) => matchesEventPattern(rule.pattern, event)).map(() => rule.name));
}

/** Each change of the policy parameter, as CloudTrail records it and as Parameter Store announces it. */
const changes: [
  string,
  ReturnType<typeof ssmCallViaCloudTrail>,
  ReturnType<typeof parameterStoreChange> | undefined,
][] = [
  [
    'PutParameter creating it',
    ssmCallViaCloudTrail({
      eventName: 'PutParameter',
      requestParameters: { name: POLICY, type: 'String', overwrite: false },
      responseElements: { version: 1, tier: 'Standard' },
    }),
    parameterStoreChange(POLICY, 'Create'),
  ],
  [
    'PutParameter overwriting it',
    ssmCallViaCloudTrail({
      eventName: 'PutParameter',
      requestParameters: { name: POLICY, type: 'String', overwrite: true },
      responseElements: { version: 7, tier: 'Standard' },
    }),
    parameterStoreChange(POLICY, 'Update'),
  ],
  [
    'DeleteParameter',
    ssmCallViaCloudTrail({ eventName: 'DeleteParameter', requestParameters: { name: POLICY } }),
    parameterStoreChange(POLICY, 'Delete'),
  ],
  [
    'DeleteParameters naming it among others (requestParameters.names, a list)',
    ssmCallViaCloudTrail({
      eventName: 'DeleteParameters',
      requestParameters: { names: ['/other/parameter', POLICY] },
      responseElements: { deletedParameters: ['/other/parameter', POLICY], invalidParameters: [] },
    }),
    parameterStoreChange(POLICY, 'Delete'),
  ],
  [
    'LabelParameterVersion',
    ssmCallViaCloudTrail({
      eventName: 'LabelParameterVersion',
      requestParameters: { name: POLICY, parameterVersion: 7, labels: ['approved'] },
      responseElements: { invalidLabels: [], parameterVersion: 7 },
    }),
    parameterStoreChange(POLICY, 'LabelParameterVersion'),
  ],
  [
    'UnlabelParameterVersion',
    ssmCallViaCloudTrail({
      eventName: 'UnlabelParameterVersion',
      requestParameters: { name: POLICY, parameterVersion: 7, labels: ['approved'] },
      responseElements: { removedLabels: ['approved'], invalidLabels: [] },
    }),
    // Parameter Store documents no event for removing a label.
    undefined,
  ],
];

/** What must never be announced: reads, other parameters (the ledger the function writes every run), refusals. */
const notChanges: [string, unknown][] = [
  [
    'a GetParameter read of the policy',
    ssmCallViaCloudTrail({ eventName: 'GetParameter', requestParameters: { name: POLICY }, readOnly: true }),
  ],
  [
    'a PutParameter of the guardrail ledger',
    ssmCallViaCloudTrail({
      eventName: 'PutParameter',
      requestParameters: { name: `${POLICY}-guardrail-ledger`, type: 'String', overwrite: true },
    }),
  ],
  ['Parameter Store’s Update of the guardrail ledger', parameterStoreChange(`${POLICY}-guardrail-ledger`, 'Update')],
  [
    'a PutParameter of a parameter under the same path',
    ssmCallViaCloudTrail({
      eventName: 'PutParameter',
      requestParameters: { name: `${POLICY}/draft`, overwrite: true },
    }),
  ],
  [
    'DeleteParameters naming other parameters only',
    ssmCallViaCloudTrail({ eventName: 'DeleteParameters', requestParameters: { names: ['/a', '/b'] } }),
  ],
  [
    'a PutParameter of the policy that was refused',
    ssmCallViaCloudTrail({
      eventName: 'PutParameter',
      requestParameters: { name: POLICY, overwrite: true },
      errorCode: 'AccessDeniedException',
    }),
  ],
  [
    'a parameter policy action on the policy (not a change)',
    { ...parameterStoreChange(POLICY, 'Update'), 'detail-type': 'Parameter Store Policy Action' },
  ],
];

describe('policy changes where a trail exists (-c cloudTrailManagementEvents=true): CloudTrail speaks', () => {
  const stack = synth({ cloudTrailManagementEvents: true });

  it.each(changes)('%s is announced once, naming who (CloudTrail’s event)', (_change, cloudTrail, parameterStore) => {
    // Where a trail exists, AWS emits both events for one change; one message must come of them.
    const emitted = [cloudTrail, ...(parameterStore ? [parameterStore] : [])];
    expect(messages(stack, emitted)).toEqual(['Test-PolicyChanged']);
    expect(messages(stack, [cloudTrail])).toEqual(['Test-PolicyChanged']);
  });

  it.each(notChanges)('%s is not announced', (_what, event) => {
    expect(messages(stack, [event])).toEqual([]);
  });

  it('says who, when, from where and what, from the CloudTrail record', () => {
    stack.template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Test-PolicyChanged',
      Targets: [
        Match.objectLike({
          InputTransformer: Match.objectLike({
            InputPathsMap: Match.objectLike({
              'detail-eventName': '$.detail.eventName',
              'detail-userIdentity-arn': '$.detail.userIdentity.arn',
              'detail-eventTime': '$.detail.eventTime',
              'detail-sourceIPAddress': '$.detail.sourceIPAddress',
            }),
          }),
        }),
      ],
    });
  });
});

describe('policy changes by default (no trail assumed): Parameter Store’s own events speak', () => {
  const stack = synth();

  it.each(changes.filter(([, , parameterStore]) => parameterStore !== undefined))(
    '%s is announced once, with or without a trail',
    (_change, cloudTrail, parameterStore) => {
      expect(messages(stack, [parameterStore])).toEqual(['Test-PolicyChanged']);
      expect(messages(stack, [cloudTrail, parameterStore])).toEqual(['Test-PolicyChanged']);
    },
  );

  it('cannot announce UnlabelParameterVersion: Parameter Store documents no event for it', () => {
    const [, unlabel] = changes.find(([change]) => change === 'UnlabelParameterVersion') ?? [];
    expect(messages(stack, [unlabel])).toEqual([]);
  });

  it.each(notChanges)('%s is not announced', (_what, event) => {
    expect(messages(stack, [event])).toEqual([]);
  });

  it('says which operation, when, and that Parameter Store names no caller', () => {
    const [rule] = Object.values(
      stack.template.findResources('AWS::Events::Rule', { Properties: { Name: 'Test-PolicyChanged' } }),
    );
    const transformer = rule?.Properties.Targets[0].InputTransformer;
    expect(transformer.InputPathsMap).toEqual(expect.objectContaining({ 'detail-operation': '$.detail.operation' }));
    expect(transformer.InputTemplate).toMatch(/names no caller/);
  });
});

describe('recoveries (AlarmRecovered)', () => {
  const stack = synth();
  const alarmNames = Object.values(stack.template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties.AlarmName as string,
  );
  // Alarms raised by the recovery path's own failure: telling their recovery through it would, were it still
  // failing, raise them again, every few minutes, without end.
  const silent = [
    'Test-AlarmRecoveredNotDelivered',
    'Test-NotificationDeliveryFailuresArrived',
    'Test-NotificationDeliveryFailuresQueueNotEmpty',
  ];

  it('tells each of this stack’s alarms back to OK from ALARM, except those watching its own delivery', () => {
    expect(alarmNames).toEqual(expect.arrayContaining(silent));
    const told = alarmNames.filter((name) => messages(stack, [alarmStateChange(name, 'ALARM', 'OK')]).length === 1);
    expect(told.sort()).toEqual(alarmNames.filter((name) => !silent.includes(name)).sort());
    for (const name of silent) expect(messages(stack, [alarmStateChange(name, 'ALARM', 'OK')])).toEqual([]);
  });

  it('with securityHubFindings, tells the findings’ two alarms back to OK too', () => {
    const withFindings = synth({ securityHubFindings: true });
    for (const name of ['Test-SecurityHubNotEnabled', 'Test-FindingsNotImported']) {
      expect(messages(withFindings, [alarmStateChange(name, 'ALARM', 'OK')])).toEqual(['Test-AlarmRecovered']);
    }
  });

  it('tells NoSuccessfulRun back to OK after runs had stopped (from INSUFFICIENT_DATA)', () => {
    expect(messages(stack, [alarmStateChange('Test-NoSuccessfulRun', 'INSUFFICIENT_DATA', 'OK')])).toEqual([
      'Test-AlarmRecovered',
    ]);
  });

  it.each<[string, unknown]>([
    [
      'a fresh alarm’s first evaluation (INSUFFICIENT_DATA to OK)',
      alarmStateChange('Test-FunctionErrors', 'INSUFFICIENT_DATA', 'OK'),
    ],
    ['an alarm going off (OK to ALARM)', alarmStateChange('Test-FunctionErrors', 'OK', 'ALARM')],
    ['another stack’s alarm recovering', alarmStateChange('Other-FunctionErrors', 'ALARM', 'OK')],
    ['a Parameter Store change', parameterStoreChange('/other', 'Update')],
  ])('says nothing of %s', (_what, event) => {
    expect(messages(stack, [event])).toEqual([]);
  });
});

describe('every rule’s delivery: retried, dead-lettered, alarmed', () => {
  const configurations: [string, Partial<ReconcilerConfig>][] = [
    ['by default', {}],
    ['with a trail', { cloudTrailManagementEvents: true }],
  ];

  it.each(configurations)('%s, every target retries, then leaves the event in the notification DLQ', (_how, config) => {
    const stack = synth(config);
    const queue = stack.resolved.logicalId('AWS::SQS::Queue', 'QueuesNotificationDeadLetters');
    const targets = rules(stack).flatMap((rule) => rule.targets);
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
    }
  });

  it.each(configurations)('%s, alarms on each rule’s failed invocations and on the DLQ', (_how, config) => {
    const stack = synth(config);
    for (const rule of rules(stack)) {
      stack.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${rule.name}NotDelivered`,
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: rule.name }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    const queue = stack.resolved.logicalId('AWS::SQS::Queue', 'QueuesNotificationDeadLetters');
    for (const [alarm, metric] of [
      ['Test-NotificationDeliveryFailuresArrived', 'NumberOfMessagesSent'],
      ['Test-NotificationDeliveryFailuresQueueNotEmpty', 'ApproximateNumberOfMessagesVisible'],
    ]) {
      stack.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: alarm,
        Namespace: 'AWS/SQS',
        MetricName: metric,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      });
    }
  });

  it('keeps the notification DLQ as evidence unless told otherwise, encrypted and SSL-only like the others', () => {
    const kept = synth();
    const queue = kept.resolved.logicalId('AWS::SQS::Queue', 'QueuesNotificationDeadLetters');
    expect(kept.template.toJSON().Resources[queue]).toEqual(
      expect.objectContaining({
        DeletionPolicy: 'Retain',
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      }),
    );
    const removed = synth({ keepEvidenceOnDestroy: false });
    expect(removed.template.toJSON().Resources[queue].DeletionPolicy).toBe('Delete');
  });
});

/**
 * AWS-shaped events, as EventBridge delivers them to the default bus, for matching against the stack's rules.
 * Shapes and values follow AWS's own examples:
 * - "AWS API Call via CloudTrail": the envelope of EventBridge User Guide "Events from AWS services" (source
 *   is the calling service's, detail-type "AWS API Call via CloudTrail"), the detail a CloudTrail record
 *   (CloudTrail User Guide, "CloudTrail record contents"), its requestParameters the API's request members in
 *   lower camel case (SSM API Reference: PutParameter Name; DeleteParameters Names, a list;
 *   LabelParameterVersion and UnlabelParameterVersion Name, ParameterVersion, Labels). A call that failed
 *   carries errorCode and errorMessage.
 * - "Parameter Store Change": Systems Manager User Guide, "Amazon EventBridge event examples for Systems
 *   Manager" (Parameter Store events: operation Create, Update, Delete; name, type, description) and
 *   "Setting up notifications ... based on Parameter Store events" (operations Create, Update, Delete,
 *   LabelParameterVersion; names with their leading slash).
 * - "CloudWatch Alarm State Change": CloudWatch User Guide, "Alarm events and EventBridge" (single metric
 *   alarm: alarmName, state, previousState, configuration; the alarm's ARN in resources).
 */
import { ACCOUNT, REGION } from './template-policies';

const envelope = (source: string, detailType: string, resources: string[], detail: Record<string, unknown>) => ({
  version: '0',
  id: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
  'detail-type': detailType,
  source,
  account: ACCOUNT,
  time: '2026-03-02T16:43:48Z',
  region: REGION,
  resources,
  detail,
});

export interface CloudTrailCall {
  readonly eventName: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements?: Record<string, unknown> | null;
  readonly readOnly?: boolean;
  /** A refused call: its error code, as CloudTrail records it. */
  readonly errorCode?: string;
}

/** An SSM API call as CloudTrail records it and EventBridge delivers it. */
export function ssmCallViaCloudTrail(call: CloudTrailCall) {
  return envelope('aws.ssm', 'AWS API Call via CloudTrail', [], {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityAdmin/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: `arn:aws:iam::${ACCOUNT}:role/SecurityAdmin`,
          accountId: ACCOUNT,
          userName: 'SecurityAdmin',
        },
        attributes: { creationDate: '2026-03-02T16:30:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2026-03-02T16:43:47Z',
    eventSource: 'ssm.amazonaws.com',
    eventName: call.eventName,
    awsRegion: REGION,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.22.0',
    ...(call.errorCode ? { errorCode: call.errorCode, errorMessage: `${call.errorCode}: refused` } : {}),
    requestParameters: call.requestParameters,
    responseElements: call.responseElements ?? null,
    requestID: '7f9d8c2a-0c1d-4d6e-9a55-2b0c1f4e3a21',
    eventID: 'c1f2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    readOnly: call.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}

/** Parameter Store's own event for a change of one parameter (no trail needed, no caller named). */
export function parameterStoreChange(name: string, operation: string) {
  return envelope(
    'aws.ssm',
    'Parameter Store Change',
    [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`],
    { operation, name, type: 'String', description: 'Deep inspection policy' },
  );
}

/** A single-metric alarm changing state, as CloudWatch sends it. */
export function alarmStateChange(alarmName: string, previous: string, current: string, account = ACCOUNT) {
  const event = envelope(
    'aws.cloudwatch',
    'CloudWatch Alarm State Change',
    [`arn:aws:cloudwatch:${REGION}:${account}:alarm:${alarmName}`],
    {
      alarmName,
      configuration: {
        description: 'An alarm of the reconciler',
        metrics: [
          {
            id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87',
            metricStat: {
              metric: { dimensions: { FunctionName: 'reconciler' }, name: 'Errors', namespace: 'AWS/Lambda' },
              period: 300,
              stat: 'Sum',
            },
            returnData: true,
          },
        ],
      },
      previousState: { reason: 'Threshold Crossed', timestamp: '2026-03-02T16:39:40.985+0000', value: previous },
      state: { reason: 'Threshold Crossed', timestamp: '2026-03-02T16:44:40.989+0000', value: current },
    },
  );
  return { ...event, account };
}

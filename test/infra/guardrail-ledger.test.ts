import https from 'node:https';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EMPTY_LEDGER } from '../../lambda/reconciler/guardrail/ledger';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { testApp } from '../support/app';

const ROOT = path.join(__dirname, '..', '..');
const LEDGER = '/deep-inspection-reconciler/policy-guardrail-ledger';
const LEDGER_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:eu-west-1:111122223333:parameter${LEDGER}`]],
};

function template(config: Partial<ReconcilerConfig> = {}): Template {
  const app = testApp();
  const stack = new DeepInspectionStack(app, 'Test', {
    env: { account: '111122223333', region: 'eu-west-1' },
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: ROOT,
  });
  return Template.fromStack(stack);
}

/** The handler aws-cdk-lib deploys behind every AwsCustomResource: the very code that runs at deploy. */
const HANDLER = path.join(
  path.dirname(require.resolve('aws-cdk-lib/package.json')),
  'custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js',
);

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The custom resources that create the ledger, by logical id. */
function creations(t: Template): [string, Resource][] {
  return Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(
    ([, resource]) => resource.Type === 'Custom::GuardrailLedgerCreation',
  );
}

describe('the guardrail ledger, which no deploy can reset', () => {
  const t = template();

  it('no deploy writes its value: CloudFormation owns no parameter of that name, and nothing sets its value on update', () => {
    const parameters = Object.values(t.findResources('AWS::SSM::Parameter')).map((r) => r.Properties.Name);
    expect(parameters).not.toContain(LEDGER);
    const [creation, ...others] = creations(t);
    expect(others).toEqual([]);
    const properties = creation?.[1].Properties ?? {};
    // Created once: PutParameter without overwriting, a ledger already there kept; no call on update or delete.
    expect(JSON.parse(properties.Create as string)).toEqual({
      service: 'SSM',
      action: 'PutParameter',
      parameters: {
        Name: LEDGER,
        Value: EMPTY_LEDGER,
        Type: 'String',
        Tier: 'Standard',
        Overwrite: false,
        Description: expect.any(String),
      },
      physicalResourceId: { id: LEDGER },
      ignoreErrorCodesMatching: '^ParameterAlreadyExists$',
    });
    expect(properties.Update).toBeUndefined();
    expect(properties.Delete).toBeUndefined();
    // The ledger's value appears nowhere else in the template.
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'object' && value !== null
          ? Object.values(value).flatMap(strings)
          : [];
    expect(strings(t.toJSON()).filter((text) => text.includes('entries'))).toEqual([properties.Create]);
  });

  it('lets its creator call ssm:PutParameter on the ledger alone, and the function Get and Put on it alone', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).map(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    const onLedger = policies
      .flat()
      .filter((statement) => JSON.stringify(statement.Resource).includes('guardrail-ledger'));
    expect(onLedger).toHaveLength(2);
    expect(onLedger).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'ssm:PutParameter', Resource: LEDGER_ARN },
        { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:PutParameter'], Resource: LEDGER_ARN },
      ]),
    );
    // The creator writes its own log group and that parameter: nothing else, no managed policy.
    const [creatorRole] = Object.keys(
      t.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('guardrail ledger') } }),
    );
    const creatorActions = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: creatorRole }]))
      .flatMap((policy) =>
        policy.Properties.PolicyDocument.Statement.map((statement: { Action: unknown }) => statement.Action),
      );
    expect(creatorActions).toEqual(
      expect.arrayContaining([['logs:CreateLogStream', 'logs:PutLogEvents'], 'ssm:PutParameter']),
    );
    expect(creatorActions).toHaveLength(2);
    for (const role of Object.values(t.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives up after 5 minutes when stuck, not CloudFormation’s default hour (ServiceTimeout)', () => {
    const [[, creation]] = creations(t) as [[string, Resource]];
    expect(creation.Properties?.ServiceTimeout).toBe('300');
  });

  it('carries the stack’s tags, which a tag-enforcing SCP on ssm:PutParameter asks for, and its creator may tag that parameter alone', () => {
    const tagged = template({ tags: { CostCenter: 'security', Owner: 'platform' } });
    const [[, creation]] = creations(tagged) as [[string, Resource]];
    expect(JSON.parse(creation.Properties?.Create as string).parameters.Tags).toEqual([
      { Key: 'CostCenter', Value: 'security' },
      { Key: 'Owner', Value: 'platform' },
    ]);
    const statements = Object.values(tagged.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'ssm:AddTagsToResource', Resource: LEDGER_ARN });
    // The parameters CloudFormation owns carry them too.
    tagged.hasResourceProperties('AWS::SSM::Parameter', { Tags: { CostCenter: 'security', Owner: 'platform' } });
  });

  it('names no tags when the stack has none', () => {
    const [[, creation]] = creations(t) as [[string, Resource]];
    expect(JSON.parse(creation.Properties?.Create as string).parameters.Tags).toBeUndefined();
  });

  it('a new policy parameter name is a new ledger: its creation is a new resource, created, not updated', () => {
    const [[before]] = creations(t) as [[string, Resource]];
    const [[after, renamed]] = creations(template({ policyParameterName: '/security/deep-inspection' })) as [
      [string, Resource],
    ];
    expect(after).not.toBe(before);
    expect(JSON.parse(renamed.Properties?.Create as string).parameters.Name).toBe(
      '/security/deep-inspection-guardrail-ledger',
    );
  });
});

describe('the ledger’s creation, run by aws-cdk-lib’s own handler against the simulated SSM', () => {
  let endpoint: LocalAwsEndpoint;
  const saved = { ...process.env };
  const responses: { Status: string; Reason: string; PhysicalResourceId: string }[] = [];
  const resource = creations(template())[0]?.[1] as Resource;

  beforeEach(async () => {
    endpoint = await LocalAwsEndpoint.start(SimulatedOrganization.generate({ accounts: 1, regions: ['eu-west-1'] }));
    Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'eu-west-1' });
    responses.length = 0;
    // CloudFormation's response URL: what the handler answers is kept here instead.
    jest.spyOn(https, 'request').mockImplementation(((_options: unknown, done: () => void) => {
      let body = '';
      return {
        on: () => undefined,
        write: (chunk: string) => {
          body += chunk;
        },
        end: () => {
          responses.push(JSON.parse(body));
          done();
        },
      };
    }) as unknown as typeof https.request);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    process.env = { ...saved };
    await endpoint.close();
    // Every request the handler made, and every answer, conformed to SSM's model.
    if (endpoint.violations.length > 0)
      throw new Error(`departed from SSM's model: ${JSON.stringify(endpoint.violations)}`);
  });

  /** CloudFormation's request to the custom resource, with the properties the template gives it. */
  async function request(requestType: 'Create' | 'Update' | 'Delete') {
    const { handler } = await import(HANDLER);
    const properties = Object.fromEntries(
      Object.entries(resource.Properties ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : 'x']),
    );
    await handler(
      {
        RequestType: requestType,
        ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
        StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Test/1',
        RequestId: 'r',
        LogicalResourceId: 'Creation',
        ResourceType: 'Custom::GuardrailLedgerCreation',
        ...(requestType === 'Create' ? {} : { PhysicalResourceId: LEDGER, OldResourceProperties: properties }),
        ResourceProperties: properties,
      },
      { logStreamName: 'stream' },
    );
    return responses.at(-1);
  }

  it('creates the ledger empty at the first deploy', async () => {
    expect(await request('Create')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LEDGER });
    expect(endpoint.state.parameters.get(LEDGER)).toMatchObject({ value: EMPTY_LEDGER, version: 1 });
  });

  it('keeps a ledger that outlived `cdk destroy` when the stack is deployed again, and succeeds', async () => {
    const kept = JSON.stringify({
      version: 1,
      entries: [{ at: '2026-11-29T12:00:00.000Z', run: 'r', deactivations: 40 }],
    });
    endpoint.state.parameters.set(LEDGER, { value: kept, version: 7 });
    expect(await request('Create')).toMatchObject({ Status: 'SUCCESS' });
    expect(endpoint.state.parameters.get(LEDGER)).toMatchObject({ value: kept, version: 7 });
  });

  it('makes no call on update or delete: a deploy never writes the ledger, and `cdk destroy` leaves it', async () => {
    endpoint.state.parameters.set(LEDGER, { value: 'entries', version: 3 });
    for (const type of ['Update', 'Delete'] as const) {
      expect(await request(type)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LEDGER });
    }
    expect(endpoint.callCount('PutParameter')).toBe(0);
    expect(endpoint.state.parameters.get(LEDGER)).toEqual({ value: 'entries', version: 3 });
  });
});

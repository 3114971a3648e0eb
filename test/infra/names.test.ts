import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { parameterNameProblems } from '../../lib/names';
import { testApp } from '../support/app';

const ROOT = path.join(__dirname, '..', '..');

/** Synthesizes the whole template (construct validations run then), without bundling. */
function synth(
  config: Partial<ReconcilerConfig> = {},
  { stackName = 'Test', agnostic = false }: { stackName?: string; agnostic?: boolean } = {},
) {
  const app = testApp();
  const stack = new DeepInspectionStack(app, stackName, {
    // Environment-agnostic: synth knows neither the account nor the region.
    ...(agnostic ? {} : { env: { account: '111122223333', region: 'eu-west-1' } }),
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: ROOT,
  });
  return Template.fromStack(stack);
}

/** `/l1/l2/…` with `count` levels. */
const levels = (count: number) => Array.from({ length: count }, (_, i) => `/l${i + 1}`).join('');
/** `arn:aws:ssm:eu-west-1:111122223333:parameter/`: what counts before the name in eu-west-1. */
const ARN_BEFORE_NAME = 'arn:aws:ssm:eu-west-1:111122223333:parameter/'.length;
/** A one-level name of `length` characters, leading slash included. */
const nameOf = (length: number) => `/${'p'.repeat(length - 1)}`;

describe('SSM parameter names SSM would refuse fail synth, the derived ledger name included', () => {
  it('takes 15 levels, and refuses 16, naming the parameter', () => {
    expect(() => synth({ policyParameterName: levels(15) })).not.toThrow();
    expect(() => synth({ policyParameterName: levels(16) })).toThrow(
      /SSM parameter name \/l1\/.*\/l16 has 16 levels; SSM allows at most 15/,
    );
  });

  it.each(['/aws/policy', '/AWS-policy', '/ssm/policy', '/Ssm.policy', '/awsome/policy'])(
    'refuses %s: SSM reserves names that start with aws or ssm, in any case',
    (name) => {
      expect(() => synth({ policyParameterName: name })).toThrow(/starts with "aws" or "ssm" \(in any case\)/);
    },
  );

  it('counts the ARN before the name: the longest policy name the ledger name still fits after', () => {
    // The ledger is `<policy>-guardrail-ledger`, 17 characters longer: it is the one that must fit.
    const longest = 1011 - ARN_BEFORE_NAME + 1 - '-guardrail-ledger'.length;
    expect(() => synth({ policyParameterName: nameOf(longest) })).not.toThrow();
    expect(() => synth({ policyParameterName: nameOf(longest + 1) })).toThrow(
      new RegExp(`SSM parameter name /p+-guardrail-ledger is 1012 characters with the ARN before it`),
    );
  });

  it('refuses a policy name over 1,011 characters with its ARN, though it is under 1,011 alone', () => {
    expect(() => synth({ policyParameterName: nameOf(1000) })).toThrow(
      /SSM parameter name \/p+ is 1044 characters with the ARN before it \(45 here\); SSM allows at most 1011, so the name may have at most 966/,
    );
  });

  it('counts the longest ARN any supported partition and region gives when synth does not know the region', () => {
    const fitsEuWest1 = 1011 - ARN_BEFORE_NAME + 1 - '-guardrail-ledger'.length;
    expect(() => synth({ policyParameterName: nameOf(fitsEuWest1) })).not.toThrow();
    // arn:aws-iso-f:ssm:us-isof-south-1:111122223333:parameter/ is 57 characters, 12 more than eu-west-1's 45.
    expect(() => synth({ policyParameterName: nameOf(fitsEuWest1) }, { agnostic: true })).toThrow(
      /is 1023 characters with the ARN before it \(57 here\)/,
    );
  });
});

describe('names built from the stack name that AWS would refuse fail synth', () => {
  it('refuses a stack name that makes an EventBridge rule name longer than 64 characters, saying how long it may be', () => {
    const stackName = `Inspector-${'x'.repeat(45)}`;
    expect(() => synth({}, { stackName })).toThrow(
      new RegExp(
        `EventBridge rule name "${stackName}-PolicyChanged" is 69 characters, more than the 64 AWS allows; it is built from the stack name "${stackName}": deploy under a stack name at most 49 characters long`,
      ),
    );
  });

  it('takes the longest stack name every rule and alarm name fits in', () => {
    // `<stack>-AlarmRecovered`, the longest rule name, leaves 49 for the stack name.
    expect(() => synth({}, { stackName: `Inspector-${'x'.repeat(39)}` })).not.toThrow();
    expect(() => synth({}, { stackName: `Inspector-${'x'.repeat(40)}` })).toThrow(/at most 49 characters long/);
  });
});

describe('parameterNameProblems', () => {
  it.each<[string, string]>([
    ['awsTestParameter', 'starts with "aws" or "ssm"'],
    ['SSM-testparameter', 'starts with "aws" or "ssm"'],
    ['/aws/testparam1', 'starts with "aws" or "ssm"'],
    ['/deep inspection/policy', 'holds a character SSM does not allow'],
    ['/deep-inspection//policy', 'has an empty level'],
    ['/deep-inspection/policy/', 'has an empty level'],
  ])('refuses %s (%s)', (name, problem) => {
    expect(parameterNameProblems(name, 44)).toEqual([expect.stringContaining(problem)]);
  });

  it('counts the "/" the ARN puts before a name written without one', () => {
    // arn:aws:ssm:us-east-2:111122223333:parameter is 44 characters; with the "/", 45 count toward 1,011.
    const prefix = 'arn:aws:ssm:us-east-2:111122223333:parameter'.length;
    expect(parameterNameProblems('p'.repeat(1011 - 45), prefix)).toEqual([]);
    expect(parameterNameProblems(`/${'p'.repeat(1011 - 45)}`, prefix)).toEqual([]);
    expect(parameterNameProblems('p'.repeat(1011 - 44), prefix)).toEqual([
      expect.stringContaining('is 1012 characters with the ARN before it (45 here)'),
    ]);
  });
});

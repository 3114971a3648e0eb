import { CfnResource, type Stack, Token } from 'aws-cdk-lib';
import type { IConstruct, IValidation } from 'constructs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';

import { partitionOf, REGIONS } from '../lambda/reconciler/constructs-entry';

/**
 * SSM's parameter name rules, as the Systems Manager User Guide's "Requirements and constraints for
 * parameter names" (sysman-parameter-name-constraints) and PutParameter's `Name` give them: at most 15
 * levels; only `a-zA-Z0-9_.-` and `/` between levels; no `aws` or `ssm` prefix, in any case; and at
 * most 1,011 characters counting the ARN before the name (`arn:aws:ssm:us-east-2:111122223333:parameter/`
 * is 45 of them in US East (Ohio)), so the longer the partition and region, the shorter the name.
 */
export const MAX_PARAMETER_NAME_WITH_ARN = 1011;
export const MAX_PARAMETER_LEVELS = 15;
const PARAMETER_NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const RESERVED_PARAMETER_PREFIX = /^\/?(aws|ssm)/i;
const ACCOUNT_ID_LENGTH = 12;

/** `arn:<partition>:ssm:<region>:<account>:parameter`, the part of a parameter's ARN before its name. */
function arnPrefix(partition: string, region: string): string {
  return `arn:${partition}:ssm:${region}:${'0'.repeat(ACCOUNT_ID_LENGTH)}:parameter`;
}

/**
 * The longest ARN prefix a parameter of this stack can have: its own partition and region when synth
 * knows them; otherwise the longest any supported region gives (an environment-agnostic stack can be
 * deployed to any of them).
 */
export function longestParameterArnPrefix(stackRegion: string): number {
  const region = Token.isUnresolved(stackRegion) ? undefined : stackRegion;
  const partition = region === undefined ? undefined : partitionOf(region);
  if (region !== undefined && partition !== undefined) return arnPrefix(partition, region).length;
  return Math.max(...Object.entries(REGIONS).map(([name, part]) => arnPrefix(part, name).length));
}

/** What SSM would refuse in this parameter name, each problem a sentence; empty when it takes it. */
export function parameterNameProblems(name: string, arnPrefixLength: number): string[] {
  const problems: string[] = [];
  if (!PARAMETER_NAME_CHARACTERS.test(name)) {
    problems.push('holds a character SSM does not allow: only letters, digits, "_", ".", "-" and "/" between levels');
  }
  if (RESERVED_PARAMETER_PREFIX.test(name)) {
    problems.push('starts with "aws" or "ssm" (in any case), which SSM reserves');
  }
  const levels = name.replace(/^\//, '').split('/');
  if (levels.some((level) => level === '')) problems.push('has an empty level ("//", or a "/" at the end)');
  if (levels.length > MAX_PARAMETER_LEVELS) {
    problems.push(`has ${levels.length} levels; SSM allows at most ${MAX_PARAMETER_LEVELS}`);
  }
  // The ARN is `<prefix>/<name without its leading slash>`.
  const withArn = arnPrefixLength + 1 + name.replace(/^\//, '').length;
  if (withArn > MAX_PARAMETER_NAME_WITH_ARN) {
    problems.push(
      `is ${withArn} characters with the ARN before it (${arnPrefixLength + 1} here); SSM allows at most ${MAX_PARAMETER_NAME_WITH_ARN}, so the name may have at most ${MAX_PARAMETER_NAME_WITH_ARN - arnPrefixLength - 1}`,
    );
  }
  return problems;
}

/** One kind of name the stack sets, with what its service accepts. */
interface NameRule {
  readonly what: string;
  readonly read: (resource: CfnResource) => string | undefined;
  readonly maxLength: number;
  readonly pattern?: RegExp;
  readonly characters?: string;
}

/**
 * Names built from the stack's name (and any other literal name), with the limits AWS's CloudFormation
 * resource schemas give them (as cfn-lint ships them: maxLength and pattern of each Name property).
 */
const NAME_RULES = new Map<string, NameRule>([
  [
    events.CfnRule.CFN_RESOURCE_TYPE_NAME,
    {
      what: 'EventBridge rule name',
      read: (r) => (r as events.CfnRule).name,
      maxLength: 64,
      pattern: /^[.\-_A-Za-z0-9]+$/,
      characters: 'letters, digits, ".", "-" and "_"',
    },
  ],
  [
    scheduler.CfnSchedule.CFN_RESOURCE_TYPE_NAME,
    {
      what: 'EventBridge Scheduler schedule name',
      read: (r) => (r as scheduler.CfnSchedule).name,
      maxLength: 64,
      pattern: /^[0-9a-zA-Z\-_.]+$/,
      characters: 'letters, digits, ".", "-" and "_"',
    },
  ],
  [
    cloudwatch.CfnAlarm.CFN_RESOURCE_TYPE_NAME,
    {
      what: 'CloudWatch alarm name',
      read: (r) => (r as cloudwatch.CfnAlarm).alarmName,
      maxLength: 255,
      // PutMetricAlarm: UTF-8, no ASCII control characters.
      // eslint-disable-next-line no-control-regex
      pattern: /^[^\u0000-\u001f\u007f]+$/,
      characters: 'no control characters',
    },
  ],
  [
    lambda.CfnFunction.CFN_RESOURCE_TYPE_NAME,
    { what: 'Lambda function name', read: (r) => (r as lambda.CfnFunction).functionName, maxLength: 64 },
  ],
  [
    iam.CfnRole.CFN_RESOURCE_TYPE_NAME,
    {
      what: 'IAM role name',
      read: (r) => (r as iam.CfnRole).roleName,
      maxLength: 64,
      pattern: /^[\w+=,.@-]+$/,
      characters: 'letters, digits and "+=,.@_-"',
    },
  ],
  [
    logs.CfnLogGroup.CFN_RESOURCE_TYPE_NAME,
    {
      what: 'log group name',
      read: (r) => (r as logs.CfnLogGroup).logGroupName,
      maxLength: 512,
      pattern: /^[.\-_/#A-Za-z0-9]+$/,
      characters: 'letters, digits and "._-/#"',
    },
  ],
  [
    sns.CfnTopic.CFN_RESOURCE_TYPE_NAME,
    { what: 'SNS topic name', read: (r) => (r as sns.CfnTopic).topicName, maxLength: 256 },
  ],
]);

/** Every literal name in the stack that its service would refuse at deploy, with where it is and what to do. */
export function resourceNameProblems(stack: Stack): string[] {
  const named: { resource: CfnResource; rule: NameRule; name: string }[] = [];
  const problems: string[] = [];
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const resource: CfnResource = construct;
    if (resource.cfnResourceType === ssm.CfnParameter.CFN_RESOURCE_TYPE_NAME) {
      const name = (resource as ssm.CfnParameter).name;
      if (name === undefined || Token.isUnresolved(name)) continue;
      for (const problem of parameterNameProblems(name, longestParameterArnPrefix(stack.region))) {
        problems.push(`${where(resource)}: SSM parameter name ${name} ${problem}`);
      }
      continue;
    }
    const rule = NAME_RULES.get(resource.cfnResourceType);
    const name = rule?.read(resource);
    if (rule !== undefined && name !== undefined && !Token.isUnresolved(name)) named.push({ resource, rule, name });
  }
  // The longest stack name every name built from it fits in: the fix for all of them at once.
  const { stackName } = stack;
  const longestStackName = Math.min(
    ...named
      .filter(({ name }) => name.includes(stackName))
      .map(({ name, rule }) => rule.maxLength - (name.length - stackName.length)),
  );
  for (const { resource, rule, name } of named) {
    if (name.length > rule.maxLength) {
      const fix = name.includes(stackName)
        ? `it is built from the stack name "${stackName}": deploy under a stack name at most ${longestStackName} characters long`
        : 'shorten it';
      problems.push(
        `${where(resource)}: ${rule.what} ${JSON.stringify(name)} is ${name.length} characters, more than the ${rule.maxLength} AWS allows; ${fix}`,
      );
    }
    if (rule.pattern !== undefined && !rule.pattern.test(name)) {
      problems.push(`${where(resource)}: ${rule.what} ${JSON.stringify(name)} may hold only ${rule.characters}`);
    }
  }
  return problems;
}

const where = (construct: IConstruct) => construct.node.path;

/** The check as a construct validation: run at synth over every resource, those added later included. */
export function resourceNameValidation(stack: Stack): IValidation {
  return { validate: () => resourceNameProblems(stack) };
}

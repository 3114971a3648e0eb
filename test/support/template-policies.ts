/**
 * Evaluator glue: takes the policies out of a synthesized template, resolves their intrinsic functions as
 * CloudFormation would in a fixed account, region and partition, and evaluates requests against them with
 * `@cloud-copilot/iam-simulate`.
 *
 * `@cloud-copilot/iam-simulate` is AGPL-3.0: a devDependency, imported here by the tests alone and never by
 * what ships (bin/, lib/, lambda/, cli/, local/); test/unit/dependencies.test.ts holds it to that.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';
/** Another account, for the requests a policy must refuse. */
export const FOREIGN_ACCOUNT = '444455556666';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** A synthesized template whose intrinsic functions resolve as CloudFormation would in ACCOUNT and REGION. */
export class ResolvedTemplate {
  private readonly resources: Resources;
  private readonly stackName: string;

  constructor(template: Template, stackName: string) {
    this.resources = template.toJSON().Resources as Resources;
    this.stackName = stackName;
  }

  /** Resolves Ref, Fn::GetAtt (Arn), Fn::Join, Fn::Select and Fn::Split; throws on anything else. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, argument);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The logical id of the only resource of `type` whose logical id starts with `prefix`. */
  logicalId(type: string, prefix: string): string {
    const ids = Object.keys(this.resources).filter((id) => id.startsWith(prefix) && this.resources[id]?.Type === type);
    if (ids.length !== 1)
      throw new Error(`expected one ${type} named ${prefix}*, found ${ids.length}: ${ids.join(', ')}`);
    return ids[0] as string;
  }

  /** `Fn::GetAtt [id, Arn]`, as CloudFormation would answer it. */
  arn(logicalId: string): string {
    return this.intrinsic('Fn::GetAtt', [logicalId, 'Arn']) as string;
  }

  /** `Ref id`, as CloudFormation would answer it. */
  ref(logicalId: string): string {
    return this.intrinsic('Ref', logicalId) as string;
  }

  properties(logicalId: string): Record<string, unknown> {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId}`);
    return resource.Properties ?? {};
  }

  /** The resolved policy of an SNS topic (AWS::SNS::TopicPolicy naming it). */
  topicPolicy(topicLogicalId: string): unknown {
    return this.attachedPolicy('AWS::SNS::TopicPolicy', 'Topics', topicLogicalId);
  }

  /** The resolved policy of an SQS queue (AWS::SQS::QueuePolicy naming it). */
  queuePolicy(queueLogicalId: string): unknown {
    return this.attachedPolicy('AWS::SQS::QueuePolicy', 'Queues', queueLogicalId);
  }

  keyPolicy(keyLogicalId: string): unknown {
    return this.resolve(this.properties(keyLogicalId).KeyPolicy);
  }

  trustPolicy(roleLogicalId: string): unknown {
    return this.resolve(this.properties(roleLogicalId).AssumeRolePolicyDocument);
  }

  /**
   * Every identity policy of a role: its inline policies and the AWS::IAM::Policy resources attached to it.
   * A managed policy cannot be evaluated from the template, so one makes this throw.
   */
  identityPolicies(roleLogicalId: string): { name: string; policy: unknown }[] {
    const role = this.properties(roleLogicalId);
    if (role.ManagedPolicyArns !== undefined) throw new Error(`${roleLogicalId} has managed policies`);
    const inline = ((role.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map(
      (policy) => ({ name: policy.PolicyName, policy: this.resolve(policy.PolicyDocument) }),
    );
    const attached = Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
      .filter(([, resource]) =>
        ((resource.Properties?.Roles as unknown[]) ?? []).some((role) => this.isRefTo(role, roleLogicalId)),
      )
      .map(([id, resource]) => ({ name: id, policy: this.resolve(resource.Properties?.PolicyDocument) }));
    return [...inline, ...attached];
  }

  private attachedPolicy(type: string, listProperty: string, targetLogicalId: string): unknown {
    const policies = Object.values(this.resources).filter(
      (resource) =>
        resource.Type === type &&
        ((resource.Properties?.[listProperty] as unknown[]) ?? []).some((item) => this.isRefTo(item, targetLogicalId)),
    );
    if (policies.length !== 1) throw new Error(`expected one ${type} for ${targetLogicalId}, found ${policies.length}`);
    return this.resolve(policies[0]?.Properties?.PolicyDocument);
  }

  private isRefTo(value: unknown, logicalId: string): boolean {
    return typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === logicalId;
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.refOf(argument as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = argument as [string, string];
        if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute} is not resolved by this glue`);
        return this.arnOf(id);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => this.resolve(part)).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (this.resolve(list) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.resolve(text)).split(separator);
      }
      default:
        throw new Error(`intrinsic ${name} is not resolved by this glue`);
    }
  }

  private refOf(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': ACCOUNT,
      'AWS::Region': REGION,
      'AWS::Partition': PARTITION,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const resource = this.resources[id];
    if (!resource) throw new Error(`Ref to unknown resource ${id}`);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::SSM::Parameter':
        return props.Name as string;
      case 'AWS::SNS::Topic':
      case 'AWS::KMS::Key':
        return this.arnOf(id);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.physicalName(id, 'QueueName')}`;
      case 'AWS::IAM::Role':
      case 'AWS::Lambda::Function':
      case 'AWS::Logs::LogGroup':
      case 'AWS::Events::Rule':
        return this.physicalName(
          id,
          {
            'AWS::IAM::Role': 'RoleName',
            'AWS::Lambda::Function': 'FunctionName',
            'AWS::Logs::LogGroup': 'LogGroupName',
            'AWS::Events::Rule': 'Name',
          }[resource.Type],
        );
      default:
        throw new Error(`Ref to ${resource.Type} is not resolved by this glue`);
    }
  }

  private arnOf(id: string): string {
    const resource = this.resources[id];
    if (!resource) throw new Error(`Fn::GetAtt on unknown resource ${id}`);
    const prefix = (service: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}`;
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
        return `${prefix('sns')}:${this.physicalName(id, 'TopicName')}`;
      case 'AWS::SQS::Queue':
        return `${prefix('sqs')}:${this.physicalName(id, 'QueueName')}`;
      case 'AWS::KMS::Key':
        return `${prefix('kms')}:key/${id.toLowerCase()}-0000-0000-0000-000000000000`;
      case 'AWS::Lambda::Function':
        return `${prefix('lambda')}:function:${this.physicalName(id, 'FunctionName')}`;
      case 'AWS::Logs::LogGroup':
        // CloudFormation's LogGroup Arn attribute ends in ":*".
        return `${prefix('logs')}:log-group:${this.physicalName(id, 'LogGroupName')}:*`;
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${this.physicalName(id, 'RoleName')}`;
      case 'AWS::Events::Rule':
        return `${prefix('events')}:rule/${this.physicalName(id, 'Name')}`;
      case 'AWS::Scheduler::Schedule':
        return `${prefix('scheduler')}:schedule/default/${this.physicalName(id, 'Name')}`;
      case 'AWS::CloudWatch::Alarm':
        return `${prefix('cloudwatch')}:alarm:${this.physicalName(id, 'AlarmName')}`;
      default:
        throw new Error(`Fn::GetAtt ${id}.Arn (${resource.Type}) is not resolved by this glue`);
    }
  }

  /** The name the template gives, or the one CloudFormation would generate (stack name and logical id). */
  private physicalName(id: string, nameProperty: string | undefined): string {
    const given = nameProperty ? this.resources[id]?.Properties?.[nameProperty] : undefined;
    if (given !== undefined) {
      const resolved = this.resolve(given);
      if (typeof resolved !== 'string') throw new Error(`${id}.${nameProperty} does not resolve to a string`);
      return resolved;
    }
    return `${this.stackName}-${id}`;
  }
}

export interface PolicyRequest {
  /** An IAM principal ARN, or a service principal such as `events.amazonaws.com`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. @default ACCOUNT */
  readonly resourceAccount?: string;
  /** The request's context keys, as the calling service sends them. */
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicies?: { name: string; policy: unknown }[];
  readonly resourcePolicy?: unknown;
}

/**
 * Evaluates one request. Throws when the simulator refuses the input (a malformed policy, an action or
 * resource it does not know) or drops a context key the request sends: a request it could not judge as
 * given must fail the test, never read as "denied".
 */
export async function evaluate(request: PolicyRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: request.context ?? {},
      },
      identityPolicies: request.identityPolicies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType !== 'single') {
    throw new Error(`${request.resource} has a wildcard: give the simulator one resource`);
  }
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(`the simulator ignored context keys ${ignored.join(', ')} for ${request.action}`);
  }
  return result.overallResult as Decision;
}

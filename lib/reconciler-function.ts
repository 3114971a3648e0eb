import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { securityHubStatements } from '../lambda/reconciler/constructs-entry';

/** The inspector2 actions the reconciler calls, and nothing else. */
export const INSPECTOR_ACTIONS = [
  'inspector2:BatchGetAccountStatus',
  'inspector2:BatchGetMemberEc2DeepInspectionStatus',
  'inspector2:BatchUpdateMemberEc2DeepInspectionStatus',
  'inspector2:GetConfiguration',
  'inspector2:GetDelegatedAdminAccount',
  'inspector2:GetEc2DeepInspectionConfiguration',
  'inspector2:ListCoverage',
  'inspector2:UpdateConfiguration',
  'inspector2:UpdateEc2DeepInspectionConfiguration',
  'inspector2:UpdateOrgEc2DeepInspectionConfiguration',
];

/** The Organizations List* actions that take no resource-level permission (Resource must be "*"). */
export const ORGANIZATIONS_ACTIONS_ON_ALL = ['organizations:ListAccounts', 'organizations:ListRoots'];

/**
 * The Organizations actions on an account, parent or child: DescribeAccount for a run scoped to a few
 * accounts, the tree walk's (only when a rule names an OU), and ListParents for an account the walk did
 * not place or a scoped run's OU chain. They accept root, OU and account ARNs (Service Authorization
 * Reference, AWS Organizations: DescribeAccount's resource type is account).
 */
export const ORGANIZATIONS_ACTIONS_ON_TREE = [
  'organizations:DescribeAccount',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListParents',
];

/**
 * Why EC2 scanning is off in an account: its effective Inspector policy. DescribeEffectivePolicy's resource
 * type is account, and its condition key organizations:PolicyType holds the grant to INSPECTOR_POLICY
 * (Service Authorization Reference, AWS Organizations). Organizations may still refuse the delegated
 * administrator another account's policy; the run then says "could not tell" once.
 */
export const ORGANIZATIONS_EFFECTIVE_POLICY_ACTIONS = ['organizations:DescribeEffectivePolicy'];
export const EFFECTIVE_POLICY_TYPE = 'INSPECTOR_POLICY';

export const ORGANIZATIONS_ACTIONS = [
  ...ORGANIZATIONS_ACTIONS_ON_ALL,
  ...ORGANIZATIONS_ACTIONS_ON_TREE,
  ...ORGANIZATIONS_EFFECTIVE_POLICY_ACTIONS,
];

/**
 * Account Management: which regions this account has enabled, so that a region it has not is one clear
 * problem rather than every call there failing. ListRegions without AccountId acts on the caller's own
 * account: resource type `account`, `arn:${Partition}:account::${Account}:account` (Service Authorization
 * Reference, AWS Account Management).
 */
export const ACCOUNT_ACTIONS = ['account:ListRegions'];

/**
 * Every root, OU and account ARN of an organization (the Service Authorization Reference's formats).
 * The management account and organization ids are not known at synth, hence their wildcards.
 */
export function organizationTreeArns(partition: string): string[] {
  const prefix = `arn:${partition}:organizations::*`;
  return [`${prefix}:root/o-*/r-*`, `${prefix}:ou/o-*/ou-*`, `${prefix}:account/o-*/*`];
}

export interface ReconcilerFunctionProps {
  /** @default 1024 */
  readonly memoryMiB?: number;
  /** @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Receives a run that still fails after Lambda's asynchronous retries, with its event. */
  readonly runFailures: sqs.IQueue;
  /** What `cdk destroy` does with the log group, the audit trail of every change. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Reserved concurrency 1, so that two runs never race on the same accounts. @default true */
  readonly runsNeverOverlap?: boolean;
}

/**
 * The reconciler Lambda: Node.js 24 on arm64, bundled and minified by esbuild with source maps,
 * its own log group, one run at a time, and a role that holds only what the run calls.
 */
export class ReconcilerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ReconcilerFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // No managed policy: log writing is granted on this log group alone.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deep inspection reconciler: reads the organization and Inspector, changes deep inspection',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ actions: INSPECTOR_ACTIONS, resources: ['*'] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ORGANIZATIONS_ACTIONS_ON_ALL, resources: ['*'] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ORGANIZATIONS_ACTIONS_ON_TREE,
        resources: organizationTreeArns(Stack.of(this).partition),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ORGANIZATIONS_EFFECTIVE_POLICY_ACTIONS,
        resources: [organizationTreeArns(Stack.of(this).partition)[2] as string],
        conditions: { StringEquals: { 'organizations:PolicyType': EFFECTIVE_POLICY_TYPE } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ACCOUNT_ACTIONS,
        resources: [`arn:${Stack.of(this).partition}:account::${Stack.of(this).account}:account`],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '..', 'lambda', 'reconciler', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB ?? 1024,
      timeout: props.timeout ?? Duration.minutes(15),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Runs never overlap: two runs at once could race on the same accounts.
      ...(props.runsNeverOverlap === false ? {} : { reservedConcurrentExecutions: 1 }),
      description: 'Keeps Inspector EC2 deep inspection as the policy in SSM says',
      // Stack traces point at the TypeScript source, through the bundle's source map.
      environment: { POWERTOOLS_LOG_LEVEL: 'INFO', NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces need file and line, not the sources: a 3.1 MB map to parse at every cold start was 1 MB.
        sourcesContent: false,
        format: OutputFormat.CJS,
        target: 'node24',
        // The pinned SDK clients ship in the bundle, not the runtime's: what is tested is what runs.
        externalModules: [],
        mainFields: ['module', 'main'],
      },
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: sendOnlyQueueDestination(props.runFailures),
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The Inspector2 actions and organizations:ListAccounts and ListRoots support no resource-level permissions, so they require Resource "*". The actions themselves are listed one by one.',
    });
    for (const arn of organizationTreeArns('<AWS::Partition>')) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason:
          'ListAccountsForParent, ListOrganizationalUnitsForParent and ListParents on the roots, OUs and accounts of the organization: their ARNs hold the management account and organization ids, unknown at synth, and the walk visits every OU.',
      });
    }
  }

  /** Lets the function read the policy parameter (ssm:GetParameter on it alone) and tells it the name. */
  bindPolicy(parameter: ssm.IStringParameter): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameter.parameterArn] }),
    );
    this.function.addEnvironment('POLICY_PARAMETER_NAME', parameter.parameterName);
  }

  /**
   * Lets the function read and write the deactivation ledger (ssm:GetParameter and ssm:PutParameter
   * on it alone) and tells it the name.
   */
  bindGuardrailLedger(parameter: ssm.IStringParameter): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [parameter.parameterArn],
      }),
    );
    this.function.addEnvironment('GUARDRAIL_LEDGER_PARAMETER_NAME', parameter.parameterName);
  }

  /**
   * Lets the function import its findings into Security Hub and read its own back (securityHubStatements:
   * BatchImportFindings on this account's own product ARN in any region; GetFindings; never
   * BatchUpdateFindings), and tells it so (SECURITY_HUB_FINDINGS). The policy still decides whether it does.
   */
  bindSecurityHubFindings(): void {
    const stack = Stack.of(this);
    for (const statement of securityHubStatements(stack.partition, stack.account)) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ actions: [...statement.actions], resources: [...statement.resources] }),
      );
    }
    this.function.addEnvironment('SECURITY_HUB_FINDINGS', 'true');
    // cdk-nag names a resource with its tokens written as <AWS::Partition>, <AWS::AccountId>.
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const [productArn] = securityHubStatements('<AWS::Partition>', account)[0]?.resources ?? [];
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${productArn}]`,
      reason:
        'BatchImportFindings on this account’s own default product ARN only (the one a custom integration may import to), in any region: the policy names the regions and may change them without a deploy.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Besides the Inspector2 and Organizations List actions: securityhub:GetFindings, which only reads this account’s own findings: its hub resource types are optional, the request names no hub, and the Security Hub CSPM User Guide lists no support for policy resources.',
    });
  }

  /**
   * Tells the function its schedule's period (SCHEDULE_PERIOD_SECONDS): a scheduled run reads the EC2 scan
   * configuration of the part of the day its period covers, so that the day's runs read every managed account.
   */
  bindSchedulePeriod(period: Duration): void {
    this.function.addEnvironment('SCHEDULE_PERIOD_SECONDS', String(period.toSeconds()));
  }

  /** Lets the function send to the failed-accounts queue (sqs:SendMessage on it alone) and tells it the URL. */
  bindFailedAccountsQueue(queue: sqs.IQueue): void {
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    this.function.addEnvironment('FAILED_ACCOUNTS_QUEUE_URL', queue.queueUrl);
  }
}

/**
 * Lambda's on-failure destination on a queue, granting the function's role sqs:SendMessage on it and
 * nothing more: the stock SqsDestination also grants GetQueueAttributes and GetQueueUrl, which Lambda
 * does not use to deliver a record.
 */
function sendOnlyQueueDestination(queue: sqs.IQueue): lambda.IDestination {
  return {
    bind: (_scope, fn) => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      return { destination: queue.queueArn };
    },
  };
}

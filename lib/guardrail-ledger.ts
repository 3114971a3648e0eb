import { createHash } from 'node:crypto';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EMPTY_LEDGER } from '../lambda/reconciler/constructs-entry';

export interface GuardrailLedgerProps {
  /** The SSM parameter's name: `<policyParameterName>-guardrail-ledger`. */
  readonly parameterName: string;
  /** The creator's log group retention. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Tags for the parameter, set by the PutParameter that creates it: CloudFormation does not own it, so the
   * stack's tags do not reach it otherwise. Creating a tagged parameter needs ssm:AddTagsToResource too
   * (CloudFormation User Guide, AWS::SSM::Parameter). @default none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** How long the creation may take before CloudFormation fails it: one SSM call, not the default hour. */
export const LEDGER_CREATION_TIMEOUT = Duration.minutes(5);

/**
 * The guardrail's deactivation ledger, an SSM String parameter the function reads and writes, that no
 * deploy can reset. CloudFormation does not own it: a custom resource creates it once, empty, with
 * PutParameter `Overwrite: false` (a ledger already there, after `cdk destroy` and a new deploy say,
 * is kept: SSM answers ParameterAlreadyExists, taken as done), and does nothing on update or delete.
 * So no template change writes its value, and a ledger that is missing at run time was deleted by
 * hand: the function then holds every deactivation (ledger-store.ts). It outlives `cdk destroy`.
 */
export class GuardrailLedger extends Construct {
  /** The parameter, for grants: ssm:GetParameter and ssm:PutParameter on it alone. */
  readonly parameter: ssm.IStringParameter;
  /** The resource that creates it: whatever reads the ledger depends on it. */
  readonly creation: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: GuardrailLedgerProps) {
    super(scope, id);
    this.parameter = ssm.StringParameter.fromStringParameterName(this, 'Parameter', props.parameterName);
    const logGroup = new logs.LogGroup(this, 'CreatorLogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No managed policy: the creator writes its own log group and creates this one parameter, nothing else.
    const role = new iam.Role(this, 'CreatorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Creates the deep inspection reconciler guardrail ledger once, at the first deploy',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // A new name is a new ledger: the resource's id follows the name, so renaming creates it (and leaves the old one).
    const tags = Object.entries(props.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const nameHash = createHash('sha256').update(props.parameterName).digest('hex').slice(0, 8);
    this.creation = new cr.AwsCustomResource(this, `CreateOnce${nameHash}`, {
      resourceType: 'Custom::GuardrailLedgerCreation',
      onCreate: {
        service: 'SSM',
        action: 'PutParameter',
        parameters: {
          Name: props.parameterName,
          Value: EMPTY_LEDGER,
          Type: 'String',
          Tier: 'Standard',
          Overwrite: false,
          Description: 'Deep inspection reconciler: the deactivations of the last 24 hours, written by the function',
          ...(tags.length > 0 ? { Tags: tags } : {}),
        },
        physicalResourceId: cr.PhysicalResourceId.of(props.parameterName),
        // Already there (a deploy after `cdk destroy`): its entries are the guardrail's memory; keep them.
        ignoreErrorCodesMatching: '^ParameterAlreadyExists$',
      },
      // No onUpdate and no onDelete: no deploy writes the ledger after it exists, and `cdk destroy` leaves it.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [this.parameter.parameterArn] }),
        ...(tags.length > 0
          ? [new iam.PolicyStatement({ actions: ['ssm:AddTagsToResource'], resources: [this.parameter.parameterArn] })]
          : []),
      ]),
      serviceTimeout: LEDGER_CREATION_TIMEOUT,
      role,
      logGroup,
      // The SDK in the Lambda runtime: no npm install at deploy time, no network beyond SSM.
      installLatestAwsSdk: false,
    });
  }
}

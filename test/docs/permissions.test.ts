import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCOUNT_ACTIONS, INSPECTOR_ACTIONS, ORGANIZATIONS_ACTIONS } from '../../lib/reconciler-function';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { DEMO_POLICY_PARAMETER, DEMO_QUEUE, demoOrganization, seedDemoPolicy } from '../../local/demo-organization';
import type { SimulatedOrganization } from '../../local/simulated-organization';
import { FakeTerminal, runCli } from '../support/cli';
import { ACCOUNT, evaluate, PARTITION } from '../support/template-policies';
import { codeBlocks, ROOT } from './doc-commands';

/**
 * The README's IAM policy for a person running the command is what the command calls: each call the
 * commands make against the simulated organization (read from the endpoint, not from the code) is
 * allowed by it, as an IAM policy simulator evaluates the request; and it grants no action the
 * command never calls.
 */

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const REGION = 'us-east-1';
const PRINCIPAL = `arn:${PARTITION}:iam::${ACCOUNT}:role/SecurityOperator`;

/** The policy under "The permissions it needs". */
function documentedPolicy(): { Statement: { Action: string | string[] }[] } {
  const section = README.split('**The permissions it needs**')[1] ?? '';
  const block = codeBlocks(section).find((candidate) => candidate.language === 'json');
  if (!block) throw new Error('no JSON policy after "The permissions it needs" in the README');
  return JSON.parse(block.text) as { Statement: { Action: string | string[] }[] };
}

/** The IAM action a call is authorized as; undefined for one that needs no permission. */
function actionOf(service: string, operation: string): string | undefined {
  // "No permissions are required to perform this operation." (AWS STS API Reference, GetCallerIdentity)
  if (service === 'sts' && operation === 'GetCallerIdentity') return undefined;
  // SendMessageBatch is authorized as sqs:SendMessage (Amazon SQS Developer Guide, "Amazon SQS batch actions").
  if (service === 'sqs' && operation === 'SendMessageBatch') return 'sqs:SendMessage';
  return `${service}:${operation}`;
}

/** A resource of the kind the action is authorized on, in the README's account and region. */
function resourceOf(action: string): string {
  const organizations = `arn:${PARTITION}:organizations::999988887777`;
  switch (action) {
    case 'organizations:DescribeAccount':
    case 'organizations:DescribeEffectivePolicy':
    case 'organizations:ListParents':
      return `${organizations}:account/o-a1b2c3d4e5/${ACCOUNT}`;
    case 'organizations:ListAccountsForParent':
    case 'organizations:ListOrganizationalUnitsForParent':
      return `${organizations}:ou/o-a1b2c3d4e5/ou-ab12-cdef3456`;
    case 'account:ListRegions':
      return `arn:${PARTITION}:account::${ACCOUNT}:account`;
    case 'ssm:GetParameter':
      return `arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter${DEMO_POLICY_PARAMETER}`;
    case 'sqs:SendMessage':
    case 'sqs:GetQueueUrl':
      // CloudFormation names a queue <stack>-<logical id>-<random>.
      return `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:DeepInspectionReconciler-QueuesFailedAccounts3F7A1B2C-Ab12Cd34Ef56`;
    default:
      return '*';
  }
}

describe('the permissions the README gives a person running the command', () => {
  let endpoint: LocalAwsEndpoint;
  let organization: SimulatedOrganization;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    organization = demoOrganization(40);
    endpoint = await LocalAwsEndpoint.start(organization);
    // No Paths in ListAccounts: the command walks the OU tree, as it does where Organizations sends none.
    endpoint.simulation.paths = false;
    seedDemoPolicy(endpoint);
    Object.assign(process.env, endpoint.environment(), { AWS_REGION: REGION });
    for (const name of Object.keys(process.env)) if (name.startsWith('npm_')) delete process.env[name];
  });

  afterAll(async () => {
    await endpoint.close();
    process.env = { ...savedEnv };
  });

  it('allow every call plan, apply, explain, lint and coverage make, and grant nothing the command never calls', async () => {
    const queue = endpoint.createQueue(DEMO_QUEUE);
    const member = organization.accounts.find(
      (account) => account.state === 'ACTIVE' && account.id !== organization.delegatedAdminAccountId,
    );
    const policy = ['--policy-parameter', DEMO_POLICY_PARAMETER];
    // One account Inspector refuses to change, so that apply has a failure to queue.
    const planned = await runCli(['plan', ...policy, '--output', 'json']);
    const change = (JSON.parse(planned.stdout) as { changes: { accountId: string }[] }).changes.find(
      ({ accountId }) => accountId !== organization.delegatedAdminAccountId,
    );
    if (!change) throw new Error('the plan changes nothing: no failure to queue');
    endpoint.state.failingUpdateAccounts.add(change.accountId);
    for (const argv of [
      ['plan', ...policy, '--out', path.join(mkdtempSync(path.join(tmpdir(), 'permissions-')), 'plan.json')],
      ['apply', '--yes', ...policy, '--failed-accounts-queue-url', queue],
      ['explain', member?.id ?? '', ...policy],
      ['lint', ...policy],
      ['coverage', ...policy],
    ]) {
      const { status } = await runCli(argv, { terminal: new FakeTerminal(() => 'yes') });
      expect([argv[0], status]).toEqual([argv[0], 0]);
    }
    const called = [
      ...new Set(
        [...endpoint.calls.keys()]
          .filter((key) => !key.includes('@'))
          .map((key) => actionOf(...(key.split('.') as [string, string]))),
      ),
    ].filter((action): action is string => action !== undefined);
    // The walk, the scoped reads of explain, the queue and the writes all happened: the list is not thin.
    expect(called).toEqual(
      expect.arrayContaining([
        'organizations:ListRoots',
        'organizations:ListAccountsForParent',
        'organizations:DescribeAccount',
        'organizations:ListParents',
        'account:ListRegions',
        'ssm:GetParameter',
        'sqs:SendMessage',
        'sqs:GetQueueUrl',
        'organizations:DescribeOrganization',
        'inspector2:ListCoverage',
        'inspector2:BatchUpdateMemberEc2DeepInspectionStatus',
        'organizations:DescribeEffectivePolicy',
      ]),
    );

    const identityPolicies = [{ name: 'readme', policy: documentedPolicy() }];
    const decisions = await Promise.all(
      called.map(async (action) => [
        action,
        await evaluate({
          principal: PRINCIPAL,
          action,
          resource: resourceOf(action),
          identityPolicies,
          // The command asks for Inspector policies alone.
          ...(action === 'organizations:DescribeEffectivePolicy'
            ? { context: { 'organizations:PolicyType': 'INSPECTOR_POLICY' } }
            : {}),
        }),
      ]),
    );
    expect(decisions).toEqual(called.map((action) => [action, 'Allowed']));

    // What the command can call: the function's own actions (the same adapters), bar the ledger it keeps alone.
    const granted = documentedPolicy().Statement.flatMap((statement) => [statement.Action].flat());
    const callable = [
      ...INSPECTOR_ACTIONS,
      ...ORGANIZATIONS_ACTIONS,
      ...ACCOUNT_ACTIONS,
      'ssm:GetParameter',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      // The CLI's alone: a saved plan is bound to its organization.
      'organizations:DescribeOrganization',
    ];
    expect([...granted].sort()).toEqual([...callable].sort());
    for (const action of called) expect(callable).toContain(action);
  });

  it('refuse what the command never does: writing the policy, another queue', async () => {
    const identityPolicies = [{ name: 'readme', policy: documentedPolicy() }];
    const refused = [
      ['ssm:PutParameter', resourceOf('ssm:GetParameter')],
      ['sqs:SendMessage', `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:another-queue`],
      ['inspector2:Disable', '*'],
      ['inspector2:UpdateEncryptionKey', '*'],
    ];
    for (const [action, resource] of refused) {
      expect([
        action,
        await evaluate({
          principal: PRINCIPAL,
          action: action as string,
          resource: resource as string,
          identityPolicies,
        }),
      ]).toEqual([action, 'ImplicitlyDenied']);
    }
  });
});

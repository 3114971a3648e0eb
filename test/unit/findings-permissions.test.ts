import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { SECURITY_HUB_ACTIONS } from '../../lambda/reconciler/aws/securityhub';
import { securityHubStatements } from '../../lambda/reconciler/findings/permissions';

/** The role's Security Hub permissions, evaluated against the requests AWS authorizes (iam-simulate). */

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reconciler`;

async function decide(action: string, resource: string, accountId = ACCOUNT): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: [
      {
        name: 'reconciler',
        policy: {
          Version: '2012-10-17',
          Statement: securityHubStatements('aws', ACCOUNT).map((statement) => ({
            Effect: 'Allow',
            Action: [...statement.actions],
            Resource: [...statement.resources],
          })),
        },
      },
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: { action, principal: ROLE, resource: { accountId, resource }, contextVariables: {} },
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const product = (region: string, accountId = ACCOUNT) =>
  `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`;
const hub = (region: string) => `arn:aws:securityhub:${region}:${ACCOUNT}:hub/default`;

describe('securityHubStatements', () => {
  it('grants exactly the actions the adapter calls', () => {
    expect(
      securityHubStatements('aws', ACCOUNT)
        .flatMap((s) => s.actions)
        .sort(),
    ).toEqual([...SECURITY_HUB_ACTIONS].sort());
  });

  it.each(['eu-west-1', 'us-east-1', 'ap-southeast-2'])(
    "allows BatchImportFindings to this account's own product in %s",
    async (region) => {
      await expect(decide('securityhub:BatchImportFindings', product(region))).resolves.toBe('Allowed');
    },
  );

  it("denies BatchImportFindings to another account's product and to a partner's product", async () => {
    await expect(
      decide('securityhub:BatchImportFindings', product('eu-west-1', '444455556666'), '444455556666'),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide('securityhub:BatchImportFindings', `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/acme/scanner`),
    ).resolves.toBe('ImplicitlyDenied');
  });

  it('allows GetFindings on the hub', async () => {
    await expect(decide('securityhub:GetFindings', hub('eu-west-1'))).resolves.toBe('Allowed');
  });

  it('denies DescribeHub: GetFindings itself says whether Security Hub is enabled', async () => {
    await expect(decide('securityhub:DescribeHub', hub('eu-west-1'))).resolves.toBe('ImplicitlyDenied');
  });

  it('denies BatchUpdateFindings: the fields people own are never the function’s to write', async () => {
    await expect(decide('securityhub:BatchUpdateFindings', hub('eu-west-1'))).resolves.toBe('ImplicitlyDenied');
  });
});

import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type AsffFinding, archivedFinding, buildFinding } from '../../lambda/reconciler/findings/asff';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';

/** The simulated Security Hub's own behaviour, as the User Guide describes Security Hub's. */

const REGION = 'eu-west-1';
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let client: SecurityHubClient;
const savedEnv = { ...process.env };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 5, regions: [REGION] });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment());
  client = new SecurityHubClient({ region: REGION, maxAttempts: 1 });
  endpoint.state.securityHub.enforceRates = false;
});

afterEach(async () => {
  client.destroy();
  await endpoint.close();
  process.env = { ...savedEnv };
});

const at = (minutes: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + minutes * 60_000).toISOString();
const finding = (now: string, member = accountId(1), status: 'FAILED' | 'WARNING' = 'FAILED'): AsffFinding =>
  buildFinding(
    { kind: 'ACCOUNT', reason: 'NOT_INSPECTOR_MEMBER', accountId: member, region: REGION, severity: 'HIGH', status },
    { partition: 'aws', ownAccountId: organization.delegatedAdminAccountId, now, createdAt: at(0) },
  );
const send = (...findings: (AsffFinding | Record<string, unknown>)[]) =>
  client.send(new BatchImportFindingsCommand({ Findings: findings.map((f) => structuredClone(f) as never) }));
const setWorkflow = (f: AsffFinding, Status: 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED') =>
  client.send(
    new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: f.Id, ProductArn: f.ProductArn }],
      Workflow: { Status },
    }),
  );
const stored = (f: AsffFinding) => endpoint.state.securityHub.finding(f.Id) as Record<string, unknown>;

describe('the simulated Security Hub', () => {
  it('ignores an update whose UpdatedAt is not after the stored one', async () => {
    await send(finding(at(10)));
    const stale = { ...finding(at(5)), Title: 'stale' };
    await expect(send(stale)).resolves.toMatchObject({ SuccessCount: 1, FailedCount: 0 });
    expect(stored(stale)).toMatchObject({ UpdatedAt: at(10) });
    expect(stored(stale).Title).not.toBe('stale');
  });

  it('sets Region to the region called, whatever the finding says', async () => {
    await send({ ...finding(at(0)), Region: 'us-east-1' });
    expect(stored(finding(at(0)))).toMatchObject({ Region: REGION });
  });

  it('reopens NOTIFIED or RESOLVED as NEW when an archived finding comes back; SUPPRESSED stays', async () => {
    const notified = finding(at(0), accountId(1));
    const suppressed = finding(at(0), accountId(2));
    await send(notified, suppressed);
    await setWorkflow(notified, 'NOTIFIED');
    await setWorkflow(suppressed, 'SUPPRESSED');
    await send(archivedFinding(notified, at(1)), archivedFinding(suppressed, at(1)));
    expect(stored(notified)).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'NOTIFIED' } });

    await send(finding(at(2), accountId(1)), finding(at(2), accountId(2)));

    expect(stored(notified)).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    expect(stored(suppressed)).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'SUPPRESSED' } });
  });

  it('reopens RESOLVED as NEW when Compliance.Status goes from PASSED back to FAILED', async () => {
    const f = finding(at(0));
    await send(f);
    await send({ ...f, UpdatedAt: at(1), Compliance: { Status: 'PASSED' } });
    await setWorkflow(f, 'RESOLVED');
    await send(finding(at(2)));
    expect(stored(f)).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'NEW' } });
  });

  it("keeps a person's Workflow and Note against an import that carries its own, and leaves UpdatedAt to the provider", async () => {
    const f = finding(at(0));
    await send(f);
    await client
      .send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [
            { Id: f.Id, ProductArn: f.ProductArn },
            { Id: 'missing', ProductArn: f.ProductArn },
          ],
          Note: { Text: 'ticket SEC-1', UpdatedBy: 'alice' },
          Workflow: { Status: 'NOTIFIED' },
        }),
      )
      .then((answer) =>
        expect(answer.UnprocessedFindings).toEqual([expect.objectContaining({ ErrorCode: 'FindingNotFound' })]),
      );
    expect(stored(f)).toMatchObject({ UpdatedAt: at(0) });

    await send({
      ...finding(at(1)),
      Workflow: { Status: 'NEW' },
      Note: { Text: 'provider', UpdatedBy: 'x', UpdatedAt: at(1) },
    });

    expect(stored(f)).toMatchObject({
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: 'ticket SEC-1', UpdatedBy: 'alice' },
    });
  });

  it('pages GetFindings with NextToken and refuses filters it does not simulate', async () => {
    const many = Array.from({ length: 150 }, (_, i) => finding(at(0), String(200000000000 + i)));
    await send(...many.slice(0, 100));
    await send(...many.slice(100));
    const first = await client.send(new GetFindingsCommand({ MaxResults: 100 }));
    const second = await client.send(new GetFindingsCommand({ MaxResults: 100, NextToken: first.NextToken }));
    expect([first.Findings?.length, second.Findings?.length, second.NextToken]).toEqual([100, 50, undefined]);

    await expect(
      client.send(new GetFindingsCommand({ Filters: { Title: [{ Comparison: 'PREFIX', Value: 'x' }] } })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

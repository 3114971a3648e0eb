import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import {
  importBatches,
  MAX_IMPORT_BYTES,
  providerFields,
  SecurityHubRegion,
} from '../../lambda/reconciler/aws/securityhub';
import { DeadlineReached } from '../../lambda/reconciler/deadline/budget';
import { type AsffFinding, buildFinding, findingBytes } from '../../lambda/reconciler/findings/asff';
import type { AccountException } from '../../lambda/reconciler/findings/exception';

const securityHub = mockClient(SecurityHubClient);
const ADMIN = '999999999999';
const region = () => new SecurityHubRegion(new SecurityHubClient({ region: 'eu-west-1' }));
const serviceError = (name: string, status: number) =>
  new SecurityHubServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: `Simulated ${name}`,
  });

beforeEach(() => securityHub.reset());

const exception = (accountId: string): AccountException => ({
  kind: 'ACCOUNT',
  reason: 'NOT_INSPECTOR_MEMBER',
  accountId,
  region: 'eu-west-1',
  severity: 'HIGH',
  status: 'FAILED',
});
const findings = (count: number): AsffFinding[] =>
  Array.from({ length: count }, (_, i) =>
    buildFinding(exception(String(100000000000 + i)), {
      partition: 'aws',
      ownAccountId: ADMIN,
      now: '2026-11-24T10:00:00.000Z',
    }),
  );
/** A finding of about `bytes` bytes, its size in the description's neighbour, ProductFields. */
const sized = (finding: AsffFinding, bytes: number): AsffFinding => ({
  ...finding,
  ProductFields: { ...finding.ProductFields, padding: 'x'.repeat(Math.max(0, bytes - findingBytes(finding))) },
});
/** A finding as the SDK types it: our readonly, narrower shape is the same JSON. */
const sdk = (finding: AsffFinding) => structuredClone(finding) as unknown as AwsSecurityFinding;
const filter = {
  productArn: `arn:aws:securityhub:eu-west-1:${ADMIN}:product/${ADMIN}/default`,
  generatorId: 'deep-inspection-reconciler',
  awsAccountId: ADMIN,
  region: 'eu-west-1',
};

describe('SecurityHubRegion.openFindings', () => {
  it("asks for this product's ACTIVE findings of this account in this region, 100 a page, every page", async () => {
    const [first, second] = findings(2) as [AsffFinding, AsffFinding];
    securityHub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [sdk(first)], NextToken: 'page-2' })
      .resolvesOnce({ Findings: [sdk(second)] });
    const hub = region();

    const result = await hub.openFindings(filter);

    const equals = (Value: string) => [{ Comparison: 'EQUALS', Value }];
    const inputs = securityHub.commandCalls(GetFindingsCommand).map((call) => call.args[0].input);
    // The SDK's paginator sets NextToken on the one input object it sends each page with.
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({
      Filters: {
        ProductArn: equals(filter.productArn),
        GeneratorId: equals('deep-inspection-reconciler'),
        AwsAccountId: equals(ADMIN),
        Region: equals('eu-west-1'),
        RecordState: equals('ACTIVE'),
      },
      MaxResults: 100,
    });
    expect(Object.keys(inputs[0]?.Filters ?? {})).toHaveLength(5);
    expect(inputs[1]).toMatchObject({ NextToken: 'page-2', MaxResults: 100 });
    expect(result).toMatchObject({ enabled: true, findings: [first, second] });
    expect(hub.calls).toBe(2);
  });

  it('reads InvalidAccessException as Security Hub not enabled in the region: one call says so', async () => {
    securityHub.on(GetFindingsCommand).rejects(serviceError('InvalidAccessException', 401));
    const hub = region();
    await expect(hub.openFindings(filter)).resolves.toEqual({
      enabled: false,
      reason: 'InvalidAccessException: Simulated InvalidAccessException',
    });
    expect(hub.calls).toBe(1);
  });

  it('lets any other error through: missing permissions are not a hub that is off', async () => {
    securityHub.on(GetFindingsCommand).rejects(serviceError('AccessDeniedException', 403));
    await expect(region().openFindings(filter)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('makes no call once the deadline says stop', async () => {
    const hub = region();
    await expect(hub.openFindings(filter, { canContinue: () => false })).rejects.toBeInstanceOf(DeadlineReached);
    expect(securityHub.calls()).toHaveLength(0);
    expect(hub.calls).toBe(0);
  });

  it('keeps only the fields this product sent: not Workflow, Note, top-level Severity or the aws/ ProductFields', async () => {
    const [mine] = findings(1) as [AsffFinding];
    securityHub.on(GetFindingsCommand).resolves({
      Findings: [
        {
          ...sdk(mine),
          Region: 'eu-west-1',
          Workflow: { Status: 'SUPPRESSED' },
          Note: { Text: 'known', UpdatedBy: 'alice', UpdatedAt: '2026-11-24T11:00:00.000Z' },
          Severity: { Label: 'LOW' },
          Types: [...mine.FindingProviderFields.Types],
          ProductFields: { ...mine.ProductFields, 'aws/securityhub/FindingId': 'x' },
        },
        { Id: 'not shaped like ours' } as never,
      ],
    });

    const result = await region().openFindings(filter);

    expect(result).toEqual({ enabled: true, findings: [mine], unrecognized: 1 });
  });

  it('stops between pages when the deadline says stop', async () => {
    securityHub.on(GetFindingsCommand).resolves({ Findings: [], NextToken: 'more' });
    let calls = 0;
    await expect(region().openFindings(filter, { canContinue: () => calls++ < 1 })).rejects.toBeInstanceOf(
      DeadlineReached,
    );
    expect(securityHub.commandCalls(GetFindingsCommand)).toHaveLength(1);
  });
});

describe('SecurityHubRegion.archivedFindings', () => {
  it('asks for these Ids among the ARCHIVED findings, 20 Ids a call, and makes no call for none', async () => {
    const all = findings(45);
    securityHub.on(GetFindingsCommand).callsFake(async (input: { Filters: { Id: { Value: string }[] } }) => ({
      Findings: all.filter((f) => input.Filters.Id.some((id) => id.Value === f.Id)).map(sdk),
    }));
    const hub = region();

    expect(await hub.archivedFindings(filter, [])).toEqual([]);
    expect(hub.calls).toBe(0);
    const found = await hub.archivedFindings(
      filter,
      all.map((f) => f.Id),
    );

    const inputs = securityHub.commandCalls(GetFindingsCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.Filters?.Id?.length)).toEqual([20, 20, 5]);
    expect(inputs[0]?.Filters).toMatchObject({
      RecordState: [{ Comparison: 'EQUALS', Value: 'ARCHIVED' }],
      ProductArn: [{ Comparison: 'EQUALS', Value: filter.productArn }],
      Region: [{ Comparison: 'EQUALS', Value: 'eu-west-1' }],
    });
    expect(found.map((f) => f.Id)).toEqual(all.map((f) => f.Id));
    expect(hub.calls).toBe(3);
  });
});

describe('SecurityHubRegion.importFindings', () => {
  it('imports 250 findings in calls of 100, 100 and 50', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 0, FailedFindings: [] });
    const hub = region();

    const result = await hub.importFindings(findings(250));

    expect(securityHub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length)).toEqual([
      100, 100, 50,
    ]);
    expect(result.imported).toHaveLength(250);
    expect(hub.calls).toBe(3);
  });

  it('keeps each call within 6 MB', () => {
    const big = findings(60).map((finding) => sized(finding, 200_000));
    const batches = importBatches(big);
    expect(batches.map((batch) => batch.length)).toEqual([29, 29, 2]);
    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify({ Findings: batch }))).toBeLessThanOrEqual(MAX_IMPORT_BYTES);
    }
  });

  it('never sends a finding over 240 KB: it is reported', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const [small, large] = findings(2) as [AsffFinding, AsffFinding];

    const result = await region().importFindings([small, sized(large, 240_001)]);

    expect(securityHub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings?.map((f) => f.Id)).toEqual([
      small.Id,
    ]);
    expect(result.failed).toEqual([expect.objectContaining({ id: large.Id, errorCode: 'FindingTooLarge' })]);
  });

  it('retries FailedFindings once, and reports those refused twice', async () => {
    const [a, b, c] = findings(3) as [AsffFinding, AsffFinding, AsffFinding];
    securityHub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        FailedCount: 2,
        SuccessCount: 1,
        FailedFindings: [
          { Id: b.Id, ErrorCode: 'InternalException', ErrorMessage: 'try again' },
          { Id: c.Id, ErrorCode: 'InvalidAccess', ErrorMessage: 'not subscribed' },
        ],
      })
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 1,
        FailedFindings: [{ Id: c.Id, ErrorCode: 'InvalidAccess', ErrorMessage: 'not subscribed' }],
      });

    const result = await region().importFindings([a, b, c]);

    expect(
      securityHub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings?.map((f) => f.Id)),
    ).toEqual([
      [a.Id, b.Id, c.Id],
      [b.Id, c.Id],
    ]);
    expect(result).toEqual({
      imported: [a.Id, b.Id],
      failed: [{ id: c.Id, errorCode: 'InvalidAccess', errorMessage: 'not subscribed' }],
      notReached: [],
    });
  });

  it.each([
    ['an IAM AccessDeniedException', 'AccessDeniedException', 403],
    ['InvalidAccessException', 'InvalidAccessException', 401],
  ])(
    'a call refused whole (%s) is the region’s error, not failed findings: no retry past the SDK, no further batch',
    async (_case, code, status) => {
      securityHub.on(BatchImportFindingsCommand).rejects(serviceError(code, status));
      // 10 batches of 100, 3 in flight at a time: those already sent answer too, and none is started after.
      const result = await region().importFindings(findings(1000));
      expect(result.failed).toEqual([]);
      expect(result.imported).toEqual([]);
      expect(result.refusedWhole).toMatch(new RegExp(`^${code}`));
      expect(securityHub.commandCalls(BatchImportFindingsCommand).length).toBeLessThanOrEqual(3);
    },
  );

  it('sends nothing once the deadline says stop, and counts the findings cut off in flight as not reached', async () => {
    const hub = region();
    await expect(hub.importFindings(findings(2), { canContinue: () => false })).resolves.toEqual({
      imported: [],
      failed: [],
      notReached: findings(2).map((f) => f.Id),
    });
    expect(securityHub.calls()).toHaveLength(0);

    const controller = new AbortController();
    securityHub.on(BatchImportFindingsCommand).callsFake(() => {
      controller.abort(new DeadlineReached());
      throw new Error('aborted');
    });
    const cut = await hub.importFindings(findings(1), { canContinue: () => true, signal: controller.signal });
    expect(cut).toEqual({ imported: [], failed: [], notReached: [findings(1)[0]?.Id] });
  });
});

describe('providerFields', () => {
  it('is undefined for a finding that lacks what re-sending it would need', () => {
    const [mine] = findings(1) as [AsffFinding];
    const { Remediation: _omitted, ...withoutRemediation } = mine;
    expect(providerFields(withoutRemediation as never)).toBeUndefined();
  });
});

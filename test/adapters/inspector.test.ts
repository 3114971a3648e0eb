import {
  BatchGetAccountStatusCommand,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetConfigurationCommand,
  GetDelegatedAdminAccountCommand,
  GetEc2DeepInspectionConfigurationCommand,
  Inspector2Client,
  ListCoverageCommand,
  UpdateEc2DeepInspectionConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { mockClient } from 'aws-sdk-client-mock';
import { InspectorRegion } from '../../lambda/reconciler/aws/inspector';
import { ObservationCollector } from '../../lambda/reconciler/aws/inspector-responses';

const inspector = mockClient(Inspector2Client);
const region = () => new InspectorRegion(new Inspector2Client({ region: 'eu-west-1' }));
const ids = (count: number, from = 100000000000) => Array.from({ length: count }, (_, i) => String(from + i));
const ADMIN = '999999999999';

beforeEach(() => inspector.reset());

/** Answers both batch reads as Inspector would, echoing each requested id. */
function echoReads(ec2 = 'ENABLED', deep = 'ACTIVATED') {
  inspector.on(BatchGetAccountStatusCommand).callsFake(({ accountIds }) => ({
    accounts: accountIds.map((accountId: string) => ({
      accountId,
      state: { status: 'ENABLED' },
      resourceState: { ec2: { status: ec2 }, ecr: { status: 'ENABLED' } },
    })),
    failedAccounts: [],
  }));
  inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).callsFake(({ accountIds }) => ({
    accountIds: accountIds.map((accountId: string) => ({ accountId, status: deep })),
    failedAccountIds: [],
  }));
}

describe('InspectorRegion.read', () => {
  it('chunks at exactly 100 ids: 250 accounts → calls of 100, 100 and 50 for each batch read', async () => {
    echoReads();
    const read = await region().read({
      accountIds: ids(250),
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });

    const sizes = (calls: { args: [{ input: { accountIds?: unknown[] } }] }[]) =>
      calls.map((c) => c.args[0].input.accountIds?.length);
    expect(sizes(inspector.commandCalls(BatchGetAccountStatusCommand) as never)).toEqual([100, 100, 50]);
    expect(sizes(inspector.commandCalls(BatchGetMemberEc2DeepInspectionStatusCommand) as never)).toEqual([
      100, 100, 50,
    ]);
    expect(read.observations.size).toBe(250);
    expect(inspector.commandCalls(GetEc2DeepInspectionConfigurationCommand)).toHaveLength(0);
  });

  it('reads the delegated administrator through its own configuration, not the member API', async () => {
    echoReads('ENABLED', 'ACTIVATED');
    inspector
      .on(GetEc2DeepInspectionConfigurationCommand)
      .resolves({ status: 'DEACTIVATED', orgPackagePaths: ['/opt'] });

    const read = await region().read({
      accountIds: [ADMIN, '111111111111'],
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });

    expect(inspector.commandCalls(BatchGetMemberEc2DeepInspectionStatusCommand)[0]?.args[0].input).toEqual({
      accountIds: ['111111111111'],
    });
    expect(read.observations.get(ADMIN)).toEqual({
      kind: 'OBSERVED',
      ec2ScanStatus: 'ENABLED',
      deepInspection: 'DEACTIVATED',
    });
    expect(read.configuration?.orgPackagePaths).toEqual(['/opt']);
  });

  it('maps failedAccounts: ACCESS_DENIED is not a member, anything else is unreadable', async () => {
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [],
      failedAccounts: [
        { accountId: '111111111111', errorCode: 'ACCESS_DENIED', errorMessage: 'not a member' },
        { accountId: '222222222222', errorCode: 'INTERNAL_ERROR', errorMessage: 'try later' },
      ],
    });
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).resolves({ accountIds: [], failedAccountIds: [] });

    const read = await region().read({
      accountIds: ['111111111111', '222222222222'],
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });

    expect(read.observations.get('111111111111')).toEqual({
      kind: 'SKIP',
      reason: 'NOT_INSPECTOR_MEMBER',
      detail: 'ACCESS_DENIED: not a member',
    });
    expect(read.observations.get('222222222222')).toEqual({
      kind: 'UNREADABLE',
      errorMessage: 'INTERNAL_ERROR: try later',
    });
  });

  it.each<[string, object]>([
    ['ENABLE_IN_PROGRESS', { kind: 'SKIP', reason: 'INSPECTOR_STATUS_CHANGING' }],
    ['DISABLE_IN_PROGRESS', { kind: 'SKIP', reason: 'INSPECTOR_STATUS_CHANGING' }],
    ['SUSPEND_IN_PROGRESS', { kind: 'SKIP', reason: 'INSPECTOR_STATUS_CHANGING' }],
    ['ACCOUNT_IS_ISOLATED', { kind: 'SKIP', reason: 'ACCOUNT_ISOLATED' }],
    ['BLOCKED_BY_ORGANIZATION_POLICY', { kind: 'SKIP', reason: 'BLOCKED_BY_ORGANIZATION_POLICY' }],
    ['RESOURCE_NOT_FOUND', { kind: 'SKIP', reason: 'NOT_INSPECTOR_MEMBER' }],
    ['INTERNAL_ERROR', { kind: 'UNREADABLE' }],
    ['SSM_THROTTLED', { kind: 'UNREADABLE' }],
    ['SSM_UNAVAILABLE', { kind: 'UNREADABLE' }],
    ['EVENTBRIDGE_THROTTLED', { kind: 'UNREADABLE' }],
    ['EVENTBRIDGE_UNAVAILABLE', { kind: 'UNREADABLE' }],
  ])('reads the BatchGetAccountStatus error code %s by what it means', async (errorCode, expected) => {
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [],
      failedAccounts: [{ accountId: '111111111111', errorCode: errorCode as never, errorMessage: 'said Inspector' }],
    });
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).resolves({ accountIds: [], failedAccountIds: [] });

    const read = await region().read({
      accountIds: ['111111111111'],
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });

    expect(read.observations.get('111111111111')).toMatchObject(expected);
    expect(JSON.stringify(read.observations.get('111111111111'))).toContain(`${errorCode}: said Inspector`);
  });

  it("a failed configuration read fails only the administrator's own account and the org paths, not the region", async () => {
    echoReads('ENABLED', 'ACTIVATED');
    inspector
      .on(GetEc2DeepInspectionConfigurationCommand)
      .rejects(Object.assign(new Error('Inspector is not enabled'), { name: 'ResourceNotFoundException' }));

    const read = await region().read({
      accountIds: ['111111111111', ADMIN],
      ownAccountId: ADMIN,
      includeConfiguration: true,
    });

    expect(read.observations.get('111111111111')).toEqual({
      kind: 'OBSERVED',
      ec2ScanStatus: 'ENABLED',
      deepInspection: 'ACTIVATED',
    });
    expect(read.observations.get(ADMIN)).toEqual({
      kind: 'OBSERVED',
      ec2ScanStatus: 'ENABLED',
      deepInspectionError: 'ResourceNotFoundException: Inspector is not enabled',
    });
    expect(read.configurationError).toBe('ResourceNotFoundException: Inspector is not enabled');
    expect(read.configuration).toBeUndefined();
  });

  it("reads the region's EC2 scan mode once, and a failure to read it is reported, not fatal", async () => {
    echoReads();
    inspector.on(GetConfigurationCommand).resolvesOnce({
      ec2Configuration: { scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' } },
    });
    const hybrid = await region().read({ accountIds: ids(150), ownAccountId: ADMIN, includeConfiguration: false });
    expect(hybrid.ec2ScanConfiguration).toEqual({ scanMode: 'EC2_HYBRID', scanModeStatus: 'SUCCESS' });
    expect(inspector.commandCalls(GetConfigurationCommand)).toHaveLength(1);

    inspector
      .on(GetConfigurationCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const unread = await region().read({ accountIds: ids(1), ownAccountId: ADMIN, includeConfiguration: false });
    expect(unread.ec2ScanConfiguration).toEqual({ error: 'ThrottlingException: slow down' });
    expect(unread.observations.size).toBe(1);
  });

  it("reads one account's EC2 scan configuration with its accountId (the administrator's own without), VM scanner included", async () => {
    inspector.on(GetConfigurationCommand).resolves({
      ec2Configuration: {
        scanModeState: { scanMode: 'EC2_HYBRID', scanModeStatus: 'PENDING' },
        vmScannerState: { activated: true, activatedAt: new Date('2026-10-01T00:00:00Z'), status: 'PENDING' },
      },
    });

    const member = await region().accountScanConfiguration('111111111111', ADMIN);
    const own = await region().accountScanConfiguration(ADMIN, ADMIN);

    expect(member).toEqual({
      scanMode: 'EC2_HYBRID',
      scanModeStatus: 'PENDING',
      vmScanner: { activated: true, activatedAt: '2026-10-01T00:00:00.000Z', status: 'PENDING' },
    });
    expect(own).toEqual(member);
    expect(inspector.commandCalls(GetConfigurationCommand).map((call) => call.args[0].input)).toEqual([
      { accountId: '111111111111' },
      {},
    ]);
  });

  it('reports a refused account read as its error, and makes no call once the deadline says stop', async () => {
    inspector
      .on(GetConfigurationCommand)
      .rejects(Object.assign(new Error('not your member'), { name: 'AccessDeniedException' }));

    const refused = await region().accountScanConfiguration('111111111111', ADMIN);
    const late = await region().accountScanConfiguration('111111111111', ADMIN, { canContinue: () => false });

    expect(refused).toEqual({ error: 'AccessDeniedException: not your member' });
    expect(late).toEqual({ error: expect.stringContaining('not reached') });
    expect(inspector.commandCalls(GetConfigurationCommand)).toHaveLength(1);
  });

  it("keeps the deep-inspection read's error for an account it could not read", async () => {
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [
        {
          accountId: '111111111111',
          state: { status: 'ENABLED', errorCode: undefined, errorMessage: undefined },
          resourceState: {
            ec2: { status: 'ENABLED', errorCode: undefined, errorMessage: undefined },
            ecr: undefined,
          },
        },
      ],
    });
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).resolves({
      failedAccountIds: [{ accountId: '111111111111', ec2ScanStatus: 'ENABLED', errorMessage: 'boom' }],
    });
    const read = await region().read({
      accountIds: ['111111111111'],
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });
    expect(read.observations.get('111111111111')).toEqual({
      kind: 'OBSERVED',
      ec2ScanStatus: 'ENABLED',
      deepInspectionError: 'boom',
    });
  });

  it('lets a whole-region failure propagate to the caller', async () => {
    inspector
      .on(BatchGetAccountStatusCommand)
      .rejects(Object.assign(new Error('not the delegated administrator'), { name: 'AccessDeniedException' }));
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).resolves({});
    await expect(
      region().read({ accountIds: ['111111111111'], ownAccountId: ADMIN, includeConfiguration: false }),
    ).rejects.toThrow('not the delegated administrator');
  });

  it('stops every read of a region once one fails, and settles them all before it rejects', async () => {
    const denied = Object.assign(new Error('not the delegated administrator'), { name: 'AccessDeniedException' });
    inspector.on(BatchGetAccountStatusCommand).rejects(denied);
    let deepSettled = 0;
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      deepSettled++;
      return {};
    });

    // 1,000 accounts: ten batches for each read, two at a time.
    const read = region().read({ accountIds: ids(1000), ownAccountId: ADMIN, includeConfiguration: false });

    await expect(read).rejects.toThrow(denied);
    expect(inspector.commandCalls(BatchGetAccountStatusCommand).length).toBeLessThanOrEqual(2);
    const deepCalls = inspector.commandCalls(BatchGetMemberEc2DeepInspectionStatusCommand).length;
    expect(deepCalls).toBeLessThanOrEqual(2);
    expect(deepSettled).toBe(deepCalls);
  });
});

describe('InspectorRegion.delegatedAdministrator', () => {
  it('answers the account GetDelegatedAdminAccount names, with its relationship status', async () => {
    inspector
      .on(GetDelegatedAdminAccountCommand)
      .resolves({ delegatedAdmin: { accountId: ADMIN, relationshipStatus: 'ENABLED' } });
    await expect(region().delegatedAdministrator()).resolves.toEqual({
      accountId: ADMIN,
      relationshipStatus: 'ENABLED',
    });
  });

  it.each([
    [
      'ResourceNotFoundException',
      () => Promise.reject(Object.assign(new Error('none'), { name: 'ResourceNotFoundException' })),
    ],
    ['no delegatedAdmin in the answer', () => Promise.resolve({})],
  ])('answers none for %s', async (_case, answer) => {
    inspector.on(GetDelegatedAdminAccountCommand).callsFake(answer);
    await expect(region().delegatedAdministrator()).resolves.toEqual({});
  });

  it('never throws: a denied call comes back as the error, for the member reads to decide', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    inspector.on(GetDelegatedAdminAccountCommand).rejects(denied);
    await expect(region().delegatedAdministrator()).resolves.toEqual({ error: denied });
  });
});

describe('InspectorRegion.read: members denied', () => {
  it('counts the accounts other than its own that BatchGetAccountStatus answered ACCESS_DENIED', async () => {
    const members = ids(3);
    inspector.on(BatchGetAccountStatusCommand).resolves({
      accounts: [],
      failedAccounts: [
        ...members.map((accountId) => ({ accountId, errorCode: 'ACCESS_DENIED' as const, errorMessage: 'denied' })),
        { accountId: ADMIN, errorCode: 'ACCESS_DENIED' as const, errorMessage: 'denied' },
      ],
    });
    inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).resolves({ accountIds: [], failedAccountIds: [] });

    const read = await region().read({
      accountIds: [...members, ADMIN],
      ownAccountId: ADMIN,
      includeConfiguration: false,
    });

    expect(read.members).toEqual({ read: 3, accessDenied: 3 });
  });
});

describe('InspectorRegion.updateMembers', () => {
  it('chunks at 100 and reads both accountIds and failedAccountIds of every response', async () => {
    inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).callsFake(({ accountIds }) => ({
      accountIds: accountIds
        .filter((a: { accountId: string }) => a.accountId !== '100000000007')
        .map((a: { accountId: string; activateDeepInspection: boolean }) => ({
          accountId: a.accountId,
          status: a.activateDeepInspection ? 'ACTIVATED' : 'DEACTIVATED',
        })),
      failedAccountIds: [
        { accountId: '100000000007', ec2ScanStatus: 'DISABLED', errorMessage: 'EC2 scanning is not enabled' },
      ],
    }));
    const changes = ids(250).map((accountId, i) => ({ accountId, activate: i % 2 === 0 }));

    const results = await region().updateMembers(changes);

    const calls = inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand);
    expect(calls.map((c) => c.args[0].input.accountIds?.length)).toEqual([100, 100, 50]);
    expect(calls[0]?.args[0].input.accountIds?.[1]).toEqual({
      accountId: '100000000001',
      activateDeepInspection: false,
    });
    expect(results).toHaveLength(250);
    expect(results.filter((r) => !r.ok)).toEqual([
      {
        accountId: '100000000007',
        ok: false,
        ec2ScanStatus: 'DISABLED',
        errorMessage: 'EC2 scanning is not enabled',
      },
    ]);
  });

  it('fails an account the response does not mention rather than counting it changed', async () => {
    inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).resolves({ accountIds: [], failedAccountIds: [] });
    const [result] = await region().updateMembers([{ accountId: '111111111111', activate: true }]);
    expect(result).toEqual({
      accountId: '111111111111',
      ok: false,
      errorMessage: 'not acknowledged in the update response',
    });
  });

  it("fails a whole batch's accounts when the call fails, without failing the other batches", async () => {
    inspector
      .on(BatchUpdateMemberEc2DeepInspectionStatusCommand)
      .rejectsOnce(Object.assign(new Error('bad request'), { name: 'ValidationException' }))
      .callsFake(({ accountIds }) => ({
        accountIds: accountIds.map((a: { accountId: string }) => ({
          accountId: a.accountId,
          status: 'ACTIVATED',
        })),
      }));
    const results = await region().updateMembers(ids(150).map((accountId) => ({ accountId, activate: true })));
    expect(results.filter((r) => !r.ok)).toHaveLength(100);
    expect(results.find((r) => !r.ok)).toMatchObject({ errorMessage: 'ValidationException: bad request' });
    expect(results.filter((r) => r.ok)).toHaveLength(50);
  });

  it.each<[string, object, boolean, string | undefined]>([
    ['the requested status', { status: 'ACTIVATED' }, true, undefined],
    ['PENDING, as Inspector settles asynchronously', { status: 'PENDING' }, true, undefined],
    [
      'the opposite status',
      { status: 'DEACTIVATED' },
      false,
      'Inspector answered status DEACTIVATED, not ACTIVATED or PENDING',
    ],
    [
      'FAILED with its message',
      { status: 'FAILED', errorMessage: 'SSM association failed' },
      false,
      'SSM association failed',
    ],
    ['the requested status with an errorMessage', { status: 'ACTIVATED', errorMessage: 'partly' }, false, 'partly'],
    ['no status at all', {}, false, 'Inspector answered no status, not ACTIVATED or PENDING'],
  ])('counts a change confirmed only on %s', async (_what, answer, ok, errorMessage) => {
    inspector
      .on(BatchUpdateMemberEc2DeepInspectionStatusCommand)
      .resolves({ accountIds: [{ accountId: '111111111111', ...answer }], failedAccountIds: [] });
    inspector.on(UpdateEc2DeepInspectionConfigurationCommand).resolves(answer);

    const [member] = await region().updateMembers([{ accountId: '111111111111', activate: true }]);
    const own = await region().updateOwnAccount(ADMIN, true);

    for (const result of [member, own]) {
      expect(result?.ok).toBe(ok);
      expect(result && !result.ok ? result.errorMessage : undefined).toBe(errorMessage);
    }
  });

  it('a write the deadline cuts off in flight is not reached, never failed or changed', async () => {
    const abort = new AbortController();
    inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).callsFake(() => {
      abort.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    const results = await region().updateMembers(
      ids(150).map((accountId) => ({ accountId, activate: true })),
      { canContinue: () => true, signal: abort.signal },
    );
    expect(results).toHaveLength(150);
    expect(results.every((r) => !r.ok && r.notReached)).toBe(true);
    expect(inspector.commandCalls(BatchUpdateMemberEc2DeepInspectionStatusCommand).length).toBeLessThanOrEqual(2);
  });

  it('makes no call when there is nothing to change', async () => {
    await region().updateMembers([]);
    expect(inspector.calls()).toHaveLength(0);
  });
});

describe('InspectorRegion.updateOwnAccount', () => {
  it('changes the delegated administrator through UpdateEc2DeepInspectionConfiguration', async () => {
    inspector.on(UpdateEc2DeepInspectionConfigurationCommand).resolves({ status: 'ACTIVATED' });
    const result = await region().updateOwnAccount(ADMIN, true);
    expect(inspector.commandCalls(UpdateEc2DeepInspectionConfigurationCommand)[0]?.args[0].input).toEqual({
      activateDeepInspection: true,
    });
    expect(result).toEqual({ accountId: ADMIN, ok: true, status: 'ACTIVATED' });
  });
});

describe('InspectorRegion.listCoverage', () => {
  const instance = (accountId: string, reason: string) => ({
    resourceType: 'AWS_EC2_INSTANCE' as const,
    resourceId: 'i-0123456789abcdef0',
    accountId,
    scanType: 'PACKAGE' as const,
    scanStatus: { statusCode: 'ACTIVE' as const, reason: reason as 'SUCCESSFUL' },
    scanMode: 'EC2_SSM_AGENT_BASED' as const,
    resourceMetadata: { ec2: { platform: 'LINUX' as const, amiId: 'ami-0123456789abcdef0' } },
  });

  it('asks 200 EC2 package scans a page, goes on past an empty page with a next token, and hands each page over', async () => {
    const answers = [
      { coveredResources: [instance('111111111111', 'SUCCESSFUL')], nextToken: 'a' },
      { coveredResources: [], nextToken: 'b' },
      { coveredResources: [instance('222222222222', 'DEEP_INSPECTION_NO_INVENTORY')] },
    ];
    // Each request as it is sent: the paginator reuses its input object from page to page.
    const requests: unknown[] = [];
    inspector.on(ListCoverageCommand).callsFake((input) => {
      requests.push(structuredClone(input));
      return answers.shift();
    });
    const pages: unknown[] = [];

    const count = await region().listCoverage((page) => pages.push(page));

    expect(count).toBe(3);
    expect(pages).toEqual([
      [
        {
          resourceType: 'AWS_EC2_INSTANCE',
          accountId: '111111111111',
          scanStatus: { statusCode: 'ACTIVE', reason: 'SUCCESSFUL' },
          scanMode: 'EC2_SSM_AGENT_BASED',
          platform: 'LINUX',
        },
      ],
      [],
      [
        {
          resourceType: 'AWS_EC2_INSTANCE',
          accountId: '222222222222',
          scanStatus: { statusCode: 'ACTIVE', reason: 'DEEP_INSPECTION_NO_INVENTORY' },
          scanMode: 'EC2_SSM_AGENT_BASED',
          platform: 'LINUX',
        },
      ],
    ]);
    expect(requests.map((request) => (request as { nextToken?: string }).nextToken)).toEqual([undefined, 'a', 'b']);
    expect(requests[0]).toEqual({
      maxResults: 200,
      filterCriteria: {
        resourceType: [{ comparison: 'EQUALS', value: 'AWS_EC2_INSTANCE' }],
        scanType: [{ comparison: 'EQUALS', value: 'PACKAGE' }],
      },
    });
  });

  it('passes on a failure, for the region to report it', async () => {
    inspector
      .on(ListCoverageCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $fault: 'client' }));
    await expect(region().listCoverage(() => undefined)).rejects.toThrow('no');
  });
});

describe('ObservationCollector', () => {
  const statusPage = {
    accounts: [
      {
        accountId: '111111111111',
        state: { status: 'ENABLED' as const },
        resourceState: { ec2: { status: 'ENABLED' as const } },
      },
    ],
    failedAccounts: [{ accountId: '222222222222', errorCode: 'ACCESS_DENIED' as const, errorMessage: 'not a member' }],
  } as never;
  const deepPage = {
    accountIds: [{ accountId: '111111111111', status: 'DEACTIVATED' as const }],
    failedAccountIds: [],
  };

  it('joins the two reads the same whichever page arrives first', () => {
    const statusFirst = new ObservationCollector();
    statusFirst.addAccountStatus(statusPage);
    statusFirst.addDeepInspectionStatus(deepPage);
    const deepFirst = new ObservationCollector();
    deepFirst.addDeepInspectionStatus(deepPage);
    deepFirst.addAccountStatus(statusPage);

    const expected = new Map([
      ['111111111111', { kind: 'OBSERVED', ec2ScanStatus: 'ENABLED', deepInspection: 'DEACTIVATED' }],
      ['222222222222', { kind: 'SKIP', reason: 'NOT_INSPECTOR_MEMBER', detail: 'ACCESS_DENIED: not a member' }],
    ]);
    expect(statusFirst.observations()).toEqual(expected);
    expect(deepFirst.observations()).toEqual(expected);
  });

  it('leaves out an account only the deep-inspection read mentions', () => {
    const collector = new ObservationCollector();
    collector.addDeepInspectionStatus({ accountIds: [{ accountId: '333333333333', status: 'ACTIVATED' }] });

    expect(collector.observations().size).toBe(0);
  });
});

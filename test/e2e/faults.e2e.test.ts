import { MAX_ACCOUNTS_READ_ONE_BY_ONE } from '../../lambda/reconciler/aws/organizations';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { type LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { buildBundle, invokeBundle, invokeBundleMeasured } from '../../local/bundle';
import {
  closeWorld,
  inOwnWorld,
  LEDGER_PARAMETER,
  POLICY_PARAMETER,
  startWorld,
  type World,
} from '../support/function-environment';

/** Fault rows of RELIABILITY.md that need the wire, against the bundled function. */

const REGIONS = ['us-east-1', 'eu-west-1'];
const PARAMETER = POLICY_PARAMETER;
const policy = { version: 1, default: 'ACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 1000 } };

let bundle: string;

// The world of the tests that run one after another (beforeEach); a concurrent test, which *Each hooks do not
// run for, starts and closes its own.
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let queueUrl: string;
let env: Record<string, string>;
const current = (): World => ({ organization, endpoint, queueUrl, env });

beforeAll(() => {
  bundle = buildBundle();
});

/** The seeded organization behind an endpoint of its own, the policy in place. */
const seededWorld = () =>
  startWorld(SimulatedOrganization.generate({ accounts: 120, regions: REGIONS, activated: 0.3, seed: 5 }), policy);

beforeEach(async () => {
  ({ organization, endpoint, queueUrl, env } = await seededWorld());
});

afterEach(() => closeWorld(current()));

/** Shorter call timeouts than the defaults (config.ts: never longer), so that a hung call costs seconds. */
const SHORT_CALL_TIMEOUTS = { CONNECTION_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' };

const run = (event: unknown = {}) =>
  invokeBundle(bundle, event, organization.delegatedAdminAccountId, env) as Promise<RunSummary>;
const queued = (w: World = current()) => (w.endpoint.state.queues.get(w.queueUrl) ?? []).map((m) => JSON.parse(m.body));

describe('faults on the wire', () => {
  it('the policy parameter missing: the run fails naming it, before reading the organization', async () => {
    endpoint.state.parameters.delete(PARAMETER);
    await expect(run()).rejects.toThrow(
      `Invalid policy (SSM parameter ${PARAMETER}): 1 problem\n  - $: the parameter does not exist`,
    );
    expect(endpoint.callCount('ListAccounts')).toBe(0);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('Organizations AccessDenied: the run fails with the error and writes nothing', async () => {
    endpoint.faults.denyOrganizations = true;
    await expect(run()).rejects.toThrow(/AccessDeniedException/);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('Inspector 500s on every fourth call: retried by the SDK, the run converges with nothing failed', async () => {
    endpoint.faults.serverErrorEveryNth = 4;
    const summary = await run();
    expect(summary.totals.failed).toBe(0);
    expect(summary.totals.activated).toBeGreaterThan(50);
    endpoint.faults = {};
    endpoint.resetCounters();
    expect((await run()).totals.activated).toBe(0);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('Inspector ValidationException on the update: every account of the batch FAILED, queued with the error', async () => {
    endpoint.faults.errors = { BatchUpdateMemberEc2DeepInspectionStatus: 'ValidationException' };
    const summary = await run();
    // Only the delegated administrator changed: it goes through its own configuration, not the batch API.
    expect(summary.changes.every((c) => c.accountId === organization.delegatedAdminAccountId)).toBe(true);
    expect(summary.totals.failed).toBeGreaterThan(50);
    const messages = queued();
    expect(messages).toHaveLength(summary.totals.failed);
    expect(new Set(messages.map((m) => m.errorMessage))).toEqual(
      new Set(['ValidationException: Simulated ValidationException']),
    );
  });

  it.concurrent(
    'an update call that never answers cannot carry the run past its deadline: it is cut off, queued, and the run reports',
    () =>
      inOwnWorld(seededWorld, async (own) => {
        own.endpoint.faults.hangOperations = ['BatchUpdateMemberEc2DeepInspectionStatus'];
        // Call timeouts of 1 s and 2 s (the defaults are 3 s and 10 s) give the deadline margins of 11 s (no call
        // starts), 8 s (calls in flight aborted) and 2 s: a 15 s invocation leaves the reads the same 4 s as a
        // 45 s one with the defaults, and reaches the abort in 7 s instead of 17.
        const timeoutMs = 15_000;

        const invocation = await invokeBundleMeasured(bundle, {}, own.organization.delegatedAdminAccountId, {
          ...own.env,
          ...SHORT_CALL_TIMEOUTS,
          LOCAL_LAMBDA_TIMEOUT_MS: String(timeoutMs),
        });
        const summary = invocation.result as RunSummary;

        // It answered: past its timeout the invocation would have ended without a summary (Sandbox.Timedout). Its
        // own duration, from the handler's call, as Lambda counts it:
        expect(invocation.runMs).toBeLessThan(timeoutMs);
        expect(summary.deadlineReached).toBe(true);
        const cutOff = queued(own).filter((m) => m.reason === 'TIMEOUT_NOT_REACHED');
        expect(cutOff.length).toBeGreaterThan(50);
        // The batches in flight were cut off; the ones not yet started were never sent.
        expect(cutOff.filter((m) => /cut off in flight/.test(m.errorMessage)).length).toBeGreaterThan(0);
        expect(queued(own)).toHaveLength(summary.totals.failed);
      }),
    60_000,
  );

  it('Inspector settles a share of updates to FAILED: the next run sees them and changes them again', async () => {
    endpoint.simulation.settleToFailedShare = 0.2;
    endpoint.simulation.pendingMs = 200;
    const first = await run();
    expect(first.totals.activated).toBeGreaterThan(50);
    endpoint.settleNow();

    endpoint.simulation.settleToFailedShare = 0;
    const second = await run();

    // Every account that settled FAILED is retried towards the policy, from FAILED.
    const retried = second.changes.filter((c) => c.from === 'FAILED');
    expect(retried.length).toBeGreaterThan(5);
    expect(retried.length).toBe(second.totals.activated);
  });

  it('BatchGetAccountStatus error codes by meaning: in-progress skipped and not queued, isolated and blocked skipped, transient ones FAILED and queued', async () => {
    const members = organization.accounts.filter(
      (a) =>
        a.id !== organization.delegatedAdminAccountId &&
        a.state === 'ACTIVE' &&
        organization.inspectorAccount('eu-west-1', a.id)?.member,
    );
    const codes = ['ENABLE_IN_PROGRESS', 'ACCOUNT_IS_ISOLATED', 'BLOCKED_BY_ORGANIZATION_POLICY', 'SSM_THROTTLED'];
    codes.forEach((code, i) => {
      const state = organization.inspectorAccount('eu-west-1', members[i]?.id ?? '');
      if (state) state.accountStatusError = code;
    });

    const summary = await run({ regions: ['eu-west-1'] });

    const west = summary.regions[0];
    expect(west?.skipped).toMatchObject({
      INSPECTOR_STATUS_CHANGING: 1,
      ACCOUNT_ISOLATED: 1,
      BLOCKED_BY_ORGANIZATION_POLICY: 1,
    });
    expect(queued().map((m) => [m.accountId, m.reason])).toEqual([[members[3]?.id, 'STATUS_UNREADABLE']]);
    expect(queued()[0]?.errorMessage).toMatch(/^SSM_THROTTLED: /);
  });

  it("GetEc2DeepInspectionConfiguration answering ResourceNotFound fails the administrator's own account, not the region", async () => {
    endpoint.faults.errors = { GetEc2DeepInspectionConfiguration: 'ResourceNotFoundException' };

    const summary = await run({ regions: ['eu-west-1'] });

    expect(summary.totals.activated).toBeGreaterThan(50);
    expect(summary.failures).toEqual([
      expect.objectContaining({
        accountId: organization.delegatedAdminAccountId,
        reason: 'STATUS_UNREADABLE',
        errorMessage: 'ResourceNotFoundException: Simulated ResourceNotFoundException',
      }),
    ]);
  });

  it('an account that moves while the tree walk runs is placed with ListParents, and decided by its real OU', async () => {
    endpoint.simulation.paths = false;
    const sandbox = [...organization.units.keys()][0] as string;
    const moved = organization.accounts.find(
      (a) => a.id !== organization.delegatedAdminAccountId && organization.ancestorsOf(a.id).includes(sandbox),
    );
    if (!moved) throw new Error('no account under the sandbox OU');
    endpoint.state.movingAccounts.add(moved.id);
    const withSandbox = {
      ...policy,
      rules: [{ name: 'sandbox off', organizationalUnits: [sandbox], deepInspection: 'DEACTIVATED' }],
    };
    endpoint.state.parameters.set(PARAMETER, { value: JSON.stringify(withSandbox), version: 2 });
    const state = organization.inspectorAccount('us-east-1', moved.id);
    if (state) state.deepInspection = 'ACTIVATED';

    // More accounts than are read one by one (MAX_ACCOUNTS_READ_ONE_BY_ONE), so the organization is listed and walked.
    const others = organization.accounts.filter((a) => a.id !== moved.id).slice(0, MAX_ACCOUNTS_READ_ONE_BY_ONE);
    const summary = await run({
      dryRun: true,
      accountIds: [moved.id, ...others.map((a) => a.id)],
      regions: ['us-east-1'],
    });

    expect(endpoint.callCount('ListRoots')).toBe(1);
    expect(endpoint.callCount('ListParents')).toBeGreaterThan(0);
    expect(summary.failures.filter((failure) => failure.accountId === moved.id)).toEqual([]);
    // Its OU says DEACTIVATED: never the default rule by accident.
    expect(summary.changes.filter((change) => change.accountId === moved.id)).toEqual([
      expect.objectContaining({ accountId: moved.id, to: 'DEACTIVATED' }),
    ]);
  });

  it('an account stuck in PENDING is skipped every run, never written, never lost', async () => {
    const stuck = organization.accounts.find(
      (a) =>
        a.id !== organization.delegatedAdminAccountId &&
        a.state === 'ACTIVE' &&
        organization.inspectorAccount('eu-west-1', a.id)?.member &&
        organization.inspectorAccount('eu-west-1', a.id)?.ec2ScanStatus === 'ENABLED',
    );
    const state = stuck && organization.inspectorAccount('eu-west-1', stuck.id);
    if (!stuck || !state) throw new Error('no eligible account to put in PENDING');
    state.deepInspection = 'PENDING';
    // The other accounts' own updates settle at once, so that only this one reads PENDING.
    endpoint.simulation.pendingMs = 0;

    for (let i = 0; i < 2; i++) {
      const summary = await run();
      const west = summary.regions.find((r) => r.region === 'eu-west-1');
      expect(west?.skipped.DEEP_INSPECTION_PENDING).toBe(1);
    }
    expect(state.deepInspection).toBe('PENDING');
  });

  it('the deactivation ledger on the wire: a retry of one scheduled run shares its budget, the next run the day’s', async () => {
    endpoint.simulation.pendingMs = 0;
    const ledgerName = `${PARAMETER}-guardrail-ledger`;
    const givenPolicy = (guardrails: object) =>
      endpoint.state.parameters.set(PARAMETER, {
        value: JSON.stringify({ version: 2, default: 'DEACTIVATED', regions: REGIONS, guardrails }),
        version: 1,
      });
    const scheduled = (time: string) => ({
      trigger: 'schedule',
      scheduledTime: time,
      scheduleExecutionId: `x${time.length}`,
    });
    const ledger = () => JSON.parse(endpoint.state.parameters.get(ledgerName)?.value ?? '{}');

    givenPolicy({ maxDeactivationsPerRun: 1000, maxDeactivationsPerDay: 1000 });
    const first = await run(scheduled('2026-11-29T12:00:00Z'));
    const used = first.guardrail.wouldDeactivate;
    expect(used).toBeGreaterThan(10);
    expect(first.guardrail).toMatchObject({
      tripped: false,
      usedThisRun: 0,
      remaining: { thisRun: 1000 - used, today: 1000 - used },
    });
    expect(ledger().entries).toEqual([
      { at: expect.any(String), run: 'schedule 2026-11-29T12:00:00Z', deactivations: used },
    ]);

    // Someone switches deep inspection back on in three accounts; the day's limit is what was used.
    const eligible = organization.accounts.filter(
      (a) =>
        a.id !== organization.delegatedAdminAccountId &&
        organization.inspectorAccount('us-east-1', a.id)?.deepInspection === 'DEACTIVATED',
    );
    for (const account of eligible.slice(0, 3)) {
      const state = organization.inspectorAccount('us-east-1', account.id);
      if (state) state.deepInspection = 'ACTIVATED';
    }
    givenPolicy({ maxDeactivationsPerRun: 1000, maxDeactivationsPerDay: used });
    endpoint.resetCounters();

    // The same scheduled run retried, and the next hour's run: both held, nothing written to Inspector.
    for (const time of ['2026-11-29T12:00:00Z', '2026-11-29T13:00:00Z']) {
      const held = await run(scheduled(time));
      expect(held.guardrail).toMatchObject({
        tripped: true,
        wouldDeactivate: 3,
        usedToday: used,
        remaining: { today: 0 },
      });
      expect(held.guardrail.heldBecause).toMatch(/maxDeactivationsPerDay/);
    }
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus')).toBe(0);
    expect(ledger().entries).toHaveLength(1);
  });

  it('the deactivation ledger deleted: every deactivation held, saying so and how to recreate it; the ledger is not recreated', async () => {
    endpoint.simulation.pendingMs = 0;
    endpoint.state.parameters.delete(LEDGER_PARAMETER);
    endpoint.state.parameters.set(PARAMETER, {
      // Limits that would let every deactivation through: only the missing ledger holds them.
      value: JSON.stringify({
        version: 2,
        default: 'DEACTIVATED',
        regions: REGIONS,
        guardrails: { maxDeactivationsPerRun: 1000, maxDeactivationsPerDay: 1000 },
      }),
      version: 2,
    });

    const held = await run({ trigger: 'schedule', scheduledTime: '2026-11-29T12:00:00Z', scheduleExecutionId: 'e1' });

    expect(held.guardrail.tripped).toBe(true);
    expect(held.guardrail.wouldDeactivate).toBeGreaterThan(10);
    expect(held.guardrail.heldBecause).toContain(`SSM parameter ${LEDGER_PARAMETER} does not exist`);
    expect(held.guardrail.heldBecause).toContain('aws ssm put-parameter');
    expect(held.totals.deactivated).toBe(0);
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus')).toBe(0);
    expect(endpoint.state.parameters.has(LEDGER_PARAMETER)).toBe(false);
  });

  it('SendMessageBatch refusing an entry once: retried, and it arrives', async () => {
    const target = organization.accounts.find(
      (a) =>
        a.id !== organization.delegatedAdminAccountId &&
        organization.inspectorAccount('us-east-1', a.id)?.deepInspection === 'DEACTIVATED' &&
        organization.inspectorAccount('us-east-1', a.id)?.member &&
        organization.inspectorAccount('us-east-1', a.id)?.ec2ScanStatus === 'ENABLED' &&
        a.state === 'ACTIVE',
    );
    if (!target) throw new Error('no account to fail');
    endpoint.state.failingUpdateAccounts.add(target.id);
    endpoint.state.failQueueEntriesOnce.add(target.id);
    const summary = await run({ regions: ['us-east-1'] });
    expect(summary.queue).toEqual({ sent: 1, undelivered: 0 });
    expect(queued().map((m) => m.accountId)).toEqual([target.id]);
  });

  describe('failures classified by cause', () => {
    const scheduled = { trigger: 'schedule', scheduledTime: '2026-11-29T12:00:00Z', scheduleExecutionId: 'e2e' };
    const OPT_IN = 'eu-south-2';

    it.concurrent(
      'a hung policy read: the scheduled run throws and says transient, having read nothing else',
      () =>
        inOwnWorld(seededWorld, async (own) => {
          own.endpoint.faults.hangOperations = ['GetParameter'];
          // One attempt of 2 s (a shorter request timeout) instead of eight of 10 s: the test's patience, not the function's.
          const failure = invokeBundle(bundle, scheduled, own.organization.delegatedAdminAccountId, {
            ...own.env,
            ...SHORT_CALL_TIMEOUTS,
            AWS_MAX_ATTEMPTS: '1',
          });
          await expect(failure).rejects.toThrow(/^TransientError: transient: reading the policy .*TimeoutError/);
          expect(own.endpoint.callCount('ListAccounts')).toBe(0);
          expect(own.endpoint.writeCount()).toBe(0);
        }),
      30_000,
    );

    it('a policy read throttled past the SDK’s retries: the scheduled run throws and says transient, not "invalid policy"', async () => {
      endpoint.faults.errors = { GetParameter: 'ThrottlingException' };
      const failure = invokeBundle(bundle, scheduled, organization.delegatedAdminAccountId, {
        ...env,
        AWS_MAX_ATTEMPTS: '2',
      });
      await expect(failure).rejects.toThrow(/^TransientError: transient: reading the policy .*ThrottlingException/);
      expect(endpoint.writeCount()).toBe(0);
    });

    it('a region this account has not enabled: "not retried", nothing called or queued there, the others reconciled', async () => {
      endpoint.state.parameters.set(PARAMETER, {
        value: JSON.stringify({ ...policy, regions: [...REGIONS, OPT_IN] }),
        version: 2,
      });
      endpoint.state.regionOptStatus.set(OPT_IN, 'DISABLED');

      const result = (await run(scheduled)) as unknown as { failed: boolean; retried: boolean; error: string };

      expect(result).toMatchObject({ failed: true, retried: false });
      expect(result.error).toContain(`enable ${OPT_IN} for this account, or remove it from the policy`);
      expect(endpoint.callCount('ListRegions')).toBe(1);
      expect([...endpoint.calls.keys()].filter((key) => key.endsWith(`@${OPT_IN}`))).toEqual([]);
      expect(queued().filter((m) => m.region === OPT_IN)).toEqual([]);
      expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'eu-west-1')).toBeGreaterThan(0);
    });

    it.each([
      ['GetDelegatedAdminAccount names another account', { administrator: '222233334444' }, 'names 222233334444'],
      [
        'GetDelegatedAdminAccount denied and every member read ACCESS_DENIED',
        { denied: true as const },
        'every member read answered ACCESS_DENIED',
      ],
    ])(
      'not the delegated administrator in one region (%s): that region fails "not retried" with its metric, no account NOT_INSPECTOR_MEMBER or queued there, the other reconciled',
      async (_case, notAdministrator, why) => {
        endpoint.state.notAdministrator.set('eu-west-1', notAdministrator);

        const invocation = await invokeBundleMeasured(bundle, scheduled, organization.delegatedAdminAccountId, {
          ...env,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: 'DeepInspectionReconciler',
        });
        const result = invocation.result as { failed: boolean; retried: boolean; error: string };

        expect(result).toMatchObject({ failed: true, retried: false });
        expect(result.error).toContain(
          "this account is not Inspector's delegated administrator in eu-west-1: designate it, or remove the region from the policy",
        );
        expect(result.error).toContain(why);
        expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'eu-west-1')).toBe(0);
        expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'us-east-1')).toBeGreaterThan(0);
        expect(queued().filter((m) => m.region === 'eu-west-1')).toEqual([]);
        const output = invocation.stdout;
        const summaryLine = output.split('\n').find((line) => line.includes('reconciliation summary'));
        const summary = (JSON.parse(summaryLine ?? '{}') as { summary: RunSummary }).summary;
        const west = summary.regions.find((region) => region.region === 'eu-west-1');
        expect(west).toMatchObject({ notDelegatedAdministrator: true, errorVerdict: 'PERMANENT' });
        expect(west?.skipped.NOT_INSPECTOR_MEMBER).toBeUndefined();
        expect(output).toMatch(/"RegionsNotDelegatedAdministrator":1\b/);
        expect(output).not.toMatch(/"RunsFailedNotRetried":1\b/);
      },
    );

    it('ListRegions denied: the region’s UnrecognizedClientException is one problem naming both causes, nothing queued for it', async () => {
      endpoint.state.parameters.set(PARAMETER, {
        value: JSON.stringify({ ...policy, regions: [...REGIONS, OPT_IN] }),
        version: 2,
      });
      endpoint.state.regionOptStatus.set(OPT_IN, 'DISABLED');
      endpoint.faults.denyListRegions = true;

      const result = (await run(scheduled)) as unknown as { failed: boolean; retried: boolean; error: string };

      expect(result).toMatchObject({ failed: true, retried: false });
      expect(result.error).toContain('UnrecognizedClientException');
      expect(result.error).toContain(`either ${OPT_IN} is not enabled for this account`);
      expect(result.error).toContain('global STS endpoint');
      expect(queued().filter((m) => m.region === OPT_IN)).toEqual([]);
    });
  });

  it('a rule name holding U+FFFF and a lone surrogate: every failure it decides reaches the queue, once, keyed for deduplication', async () => {
    const name = 'legacy \uFFFF hosts \uD83D';
    const failing = organization.accounts.filter(
      (a) =>
        a.state === 'ACTIVE' &&
        a.id !== organization.delegatedAdminAccountId &&
        organization.inspectorAccount('us-east-1', a.id)?.deepInspection === 'DEACTIVATED' &&
        organization.inspectorAccount('us-east-1', a.id)?.member &&
        organization.inspectorAccount('us-east-1', a.id)?.ec2ScanStatus === 'ENABLED',
    );
    const accounts = failing.slice(0, 12).map((a) => a.id);
    for (const id of accounts) endpoint.state.failingUpdateAccounts.add(id);
    endpoint.state.parameters.set(PARAMETER, {
      value: JSON.stringify({ ...policy, rules: [{ name, accounts, deepInspection: 'ACTIVATED' }] }),
      version: 2,
    });
    const time = '2026-11-29T12:00:00Z';

    const summary = await run({ trigger: 'schedule', scheduledTime: time, scheduleExecutionId: 'e1' });

    expect(summary.queue).toEqual({ sent: summary.totals.failed, undelivered: 0 });
    const messages = endpoint.state.queues.get(queueUrl) ?? [];
    const fromRule = messages
      .map((m) => ({ ...JSON.parse(m.body), attributes: m.attributes }))
      .filter((m) => m.rule === name && m.region === 'us-east-1');
    expect(fromRule.map((m) => m.accountId).sort()).toEqual([...accounts].sort());
    for (const message of fromRule) {
      const key = `schedule ${time} ${message.region} ${message.accountId}`;
      expect(message.deduplicationKey).toBe(key);
      expect(message.attributes).toEqual({ DeduplicationKey: { DataType: 'String', StringValue: key } });
    }
    expect(endpoint.callCount('SendMessageBatch')).toBe(Math.ceil(summary.totals.failed / 10));
  });

  it('the failed-accounts queue gone: every failure is logged, then the run fails', async () => {
    endpoint.state.failingUpdateAccounts.add(organization.accounts[1]?.id ?? '');
    endpoint.state.queues.delete(queueUrl);
    await expect(run()).rejects.toThrow(/failures could not be sent to the failed-accounts queue/);
  });

  it('a manual event with thousands of account ids is rejected before any AWS call', async () => {
    const accountIds = Array.from({ length: 5000 }, (_, i) => String(100000000000 + i));
    await expect(run({ accountIds })).rejects.toThrow('$.accountIds: at most 1000 account ids');
    expect(endpoint.calls.size).toBe(0);
  });
});

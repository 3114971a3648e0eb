import fc from 'fast-check';
import { type AsffFinding, buildFinding, FIELD, findingId } from '../../lambda/reconciler/findings/asff';
import { exceptionsByRegion, type RegionExceptions, verdictOf } from '../../lambda/reconciler/findings/decide';
import type { AccountException, RuleException } from '../../lambda/reconciler/findings/exception';
import { diffFindings, openAfter, REFRESH_AFTER_DAYS, sweepFindings } from '../../lambda/reconciler/findings/diff';
import type { Outcome } from '../../lambda/reconciler/model';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';

const ADMIN = '999999999999';
const region = 'eu-west-1';
const NOW = new Date('2026-11-24T10:00:00.000Z');
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString();
const A = '111111111111';
const B = '222222222222';

const updateFailed = (accountId = A, extra: Partial<AccountException> = {}): AccountException => ({
  kind: 'ACCOUNT',
  reason: 'UPDATE_FAILED',
  accountId,
  region,
  rule: 'default',
  desired: 'ACTIVATED',
  detail: 'DEACTIVATED',
  severity: 'HIGH',
  status: 'FAILED',
  ...extra,
});
const reportOnly = (accounts: string[]): RuleException => ({
  kind: 'RULE',
  reason: 'REPORT_ONLY_MISMATCH',
  region,
  rule: 'trial',
  accounts,
  to: 'ACTIVATED',
  severity: 'MEDIUM',
  status: 'WARNING',
});
/** An open finding for `exception`, as a run `daysAgo` imported it. */
const openFor = (exception: AccountException | RuleException, daysAgo = 1): AsffFinding =>
  buildFinding(exception, { partition: 'aws', ownAccountId: ADMIN, now: at(daysAgo) });
const scope = (
  exceptions: (AccountException | RuleException)[],
  settled: string[] = [A, B],
  complete = true,
  evaluated: string[] = settled,
  unsettledRules: string[] = [],
): RegionExceptions => ({
  region,
  exceptions,
  settledAccounts: new Set(settled),
  evaluatedAccounts: new Set(evaluated),
  unsettledRules: new Set(unsettledRules),
  complete,
  scanSettledAccounts: new Set(),
  // The policy manages no scan configuration: every settled account's is unmanaged.
  scanUnmanagedAccounts: new Set(settled),
});
const diff = (open: AsffFinding[], regionScope: RegionExceptions, now = NOW) =>
  diffFindings({ open, region: regionScope, partition: 'aws', ownAccountId: ADMIN, now });

describe('diffFindings', () => {
  it('imports a new exception once, created and updated now', () => {
    const plan = diff([], scope([updateFailed()]));
    expect(plan.imports).toEqual([
      expect.objectContaining({ Id: findingId(updateFailed()), CreatedAt: NOW.toISOString() }),
    ]);
    expect(plan.counts).toMatchObject({ new: 1, changed: 0, unchanged: 0 });
    expect(plan.archives).toEqual([]);
  });

  it('does not re-import an exception that persists unchanged, whatever Inspector now says in words', () => {
    const plan = diff([openFor(updateFailed())], scope([updateFailed(A, { message: 'a new wording' })]));
    expect(plan.imports).toEqual([]);
    expect(plan.counts.unchanged).toBe(1);
  });

  it(`refreshes an unchanged finding once it is ${REFRESH_AFTER_DAYS} days old, keeping when it was created`, () => {
    const old = openFor(updateFailed(), REFRESH_AFTER_DAYS);
    const plan = diff(
      [old, openFor(updateFailed(B), REFRESH_AFTER_DAYS - 0.01)],
      scope([updateFailed(), updateFailed(B)]),
    );
    expect(plan.imports).toEqual([
      expect.objectContaining({ Id: old.Id, CreatedAt: old.CreatedAt, UpdatedAt: NOW.toISOString() }),
    ]);
    expect(plan.counts).toMatchObject({ refreshed: 1, unchanged: 1 });
  });

  it('re-imports an exception whose facts changed', () => {
    const plan = diff([openFor(updateFailed())], scope([updateFailed(A, { detail: 'FAILED' })]));
    expect(plan.imports).toEqual([
      expect.objectContaining({ ProductFields: expect.objectContaining({ [FIELD.detail]: 'FAILED' }) }),
    ]);
    expect(plan.counts.changed).toBe(1);
  });

  describe('a scan configuration finding', () => {
    const vmScannerFailed: AccountException = {
      kind: 'ACCOUNT',
      reason: 'VM_SCANNER_FAILED',
      accountId: A,
      region,
      rule: 'default',
      scanTarget: 'vmScanner ACTIVATED',
      detail: 'FAILED',
      severity: 'HIGH',
      status: 'FAILED',
    };
    const managed = (scanSettled: string[]): RegionExceptions => ({
      ...scope([]),
      scanSettledAccounts: new Set(scanSettled),
      scanUnmanagedAccounts: new Set(),
    });

    it('says what the policy wants of the VM scanner in Desired', () => {
      expect(openFor(vmScannerFailed).ProductFields[FIELD.desired]).toBe('vmScanner ACTIVATED');
    });

    it('stays open while the account’s scan configuration is not read, though its deep inspection is settled', () => {
      const plan = diff([openFor(vmScannerFailed)], managed([]));
      expect(plan.archives).toEqual([]);
      expect(plan.counts.untouched).toBe(1);
    });

    it('is archived once a run reads the account’s scan configuration settled without it', () => {
      const plan = diff([openFor(vmScannerFailed)], managed([A]));
      expect(plan.archives.map((finding) => finding.Id)).toEqual([findingId(vmScannerFailed)]);
    });

    it('is archived when the policy manages no scan configuration any more', () => {
      const plan = diff([openFor(vmScannerFailed)], scope([]));
      expect(plan.archives.map((finding) => finding.Id)).toEqual([findingId(vmScannerFailed)]);
    });

    it('is archived when its account has left the organization', () => {
      const plan = diff([openFor(vmScannerFailed)], { ...managed([]), evaluatedAccounts: new Set([B]) });
      expect(plan.archives.map((finding) => finding.Id)).toEqual([findingId(vmScannerFailed)]);
    });

    describe('through the run’s judgement (exceptionsByRegion), the deep inspection stream settling A and B', () => {
      const runPolicy = validatePolicy({ version: 2, default: 'ACTIVATED' }, 'test');
      const compliant = (accountId: string): Outcome => ({
        kind: 'COMPLIANT',
        accountId,
        region,
        rule: 'default',
        state: 'ACTIVATED',
      });
      /** No scan configuration outcome: neither account is in this run's slice (or managed at all). */
      const judged = (options: { evaluated?: string[]; wholeOrganization?: boolean; scanManaged?: string[] }) => {
        const { evaluated = [A, B], wholeOrganization = true, scanManaged } = options;
        const byRegion = exceptionsByRegion(evaluated.map(compliant), runPolicy, {
          today: '2026-11-24',
          wholeOrganization,
          scanConfiguration: [],
          ...(scanManaged === undefined ? {} : { scanConfigurationManaged: new Set(scanManaged) }),
        });
        const regionExceptions = byRegion.get(region);
        if (regionExceptions === undefined) throw new Error(`no judgement for ${region}`);
        return diff([openFor(vmScannerFailed)], regionExceptions);
      };

      it('is archived once the policy no longer manages the account’s scan configuration, though it manages B’s', () => {
        expect(judged({ scanManaged: [B] }).archives.map((finding) => finding.Id)).toEqual([
          findingId(vmScannerFailed),
        ]);
      });

      it('stays open while the policy manages it and the run did not read it (not in its slice)', () => {
        const plan = judged({ scanManaged: [A, B] });
        expect(plan.archives).toEqual([]);
        expect(plan.counts.untouched).toBe(1);
      });

      it('stays open in a run scoped to other accounts, which did not evaluate it', () => {
        const plan = judged({ evaluated: [B], wholeOrganization: false, scanManaged: [B] });
        expect(plan.archives).toEqual([]);
        expect(plan.counts.untouched).toBe(1);
      });

      it('stays open when the run does not say which accounts the policy manages', () => {
        expect(judged({}).archives).toEqual([]);
      });
    });

    it('does not settle deep inspection’s findings: a scan configuration read alone leaves them', () => {
      const plan = diff([openFor(updateFailed())], { ...managed([A]), settledAccounts: new Set() });
      expect(plan.archives).toEqual([]);
    });
  });

  it('archives the finding of an account the run saw settled without it: PASSED and ARCHIVED', () => {
    const open = openFor(updateFailed());
    const plan = diff([open], scope([]));
    expect(plan.archives).toEqual([
      { ...open, UpdatedAt: NOW.toISOString(), Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' },
    ]);
    expect(plan.imports).toEqual([]);
  });

  it('archives the finding of an account a complete run did not meet (it left the organization), and only then', () => {
    const gone = openFor(updateFailed(B));
    // B's finding; the run evaluated A alone.
    const complete = diff([gone], scope([], [A], true, [A]));
    const scoped = diff([gone], scope([], [A], false, [A]));
    const unsettled = diff([gone], scope([], [A], true, [A, B]));

    expect(complete.archives).toEqual([expect.objectContaining({ Id: gone.Id, RecordState: 'ARCHIVED' })]);
    expect(scoped.archives).toEqual([]);
    expect(unsettled.archives).toEqual([]);
  });

  it('archives the old reason and imports the new one when an account fails for another reason', () => {
    const open = openFor(updateFailed());
    const now = { ...updateFailed(), reason: 'EC2_SCANNING_NOT_ENABLED' as const, detail: 'DISABLED' };
    const plan = diff([open], scope([now]));
    expect(plan.archives.map((f) => f.Id)).toEqual([open.Id]);
    expect(plan.imports.map((f) => f.Id)).toEqual([findingId(now)]);
  });

  it('leaves alone the finding of an account the run did not settle (not reached, in transition), or did not evaluate in a scoped run', () => {
    const unsettled = diff([openFor(updateFailed())], scope([], [B], true, [A, B]));
    const notEvaluated = diff([openFor(updateFailed())], scope([], [B], false, [B]));
    for (const plan of [unsettled, notEvaluated]) {
      expect(plan.archives).toEqual([]);
      expect(plan.counts.untouched).toBe(1);
    }
  });

  it('judges rule facts only in a complete run: neither imported, changed nor archived otherwise', () => {
    const open = openFor(reportOnly([A]));
    const incomplete = diff([open], scope([reportOnly([A, B])], [A, B], false));
    expect(incomplete.imports).toEqual([]);
    expect(incomplete.counts.untouched).toBe(1);
    expect(diff([], scope([reportOnly([A])], [A], false)).imports).toEqual([]);

    const complete = diff([open], scope([reportOnly([A, B])]));
    expect(complete.imports.map((f) => f.Id)).toEqual([open.Id]);
    expect(diff([open], scope([])).archives.map((f) => f.Id)).toEqual([open.Id]);
  });

  it('never touches a finding it does not recognise as its own', () => {
    const foreign = { ...openFor(updateFailed()), ProductFields: { other: 'x' } };
    expect(diff([foreign], scope([])).counts.untouched).toBe(1);
  });

  it('reopens an archived finding with its CreatedAt and FirstObservedAt, and asks for none it was not given', () => {
    const first = openFor(updateFailed(), 30);
    const archived = { ...first, RecordState: 'ARCHIVED' as const, Compliance: { Status: 'PASSED' as const } };
    const asked = diff([], scope([updateFailed()]));
    expect(asked.created).toEqual([first.Id]);

    const plan = diffFindings({
      open: [],
      region: scope([updateFailed()]),
      archived: [archived],
      partition: 'aws',
      ownAccountId: ADMIN,
      now: NOW,
    });

    expect(plan.created).toEqual([]);
    expect(plan.counts).toMatchObject({ new: 0, reopened: 1 });
    expect(plan.imports).toEqual([
      expect.objectContaining({
        Id: first.Id,
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED' },
        CreatedAt: first.CreatedAt,
        FirstObservedAt: first.FirstObservedAt,
        UpdatedAt: NOW.toISOString(),
      }),
    ]);
  });

  it("holds a report-only rule's finding still while one of its accounts is in transition, refreshing it only when due", () => {
    const open = openFor(reportOnly([A, B]));
    const held = (daysAgo: number, wanted: RuleException[]) =>
      diff([{ ...open, UpdatedAt: at(daysAgo) }], scope(wanted, [A], true, [A, B], ['trial']));

    // B in transition: the list without B is not a change, and no list at all is not a resolution.
    expect(held(1, [reportOnly([A])])).toMatchObject({ imports: [], archives: [], counts: { untouched: 1 } });
    expect(held(1, [])).toMatchObject({ imports: [], archives: [], counts: { untouched: 1 } });
    // Due for refresh: the same content is sent again, so Security Hub does not delete it after 90 days.
    const refreshed = held(REFRESH_AFTER_DAYS, [reportOnly([A])]);
    expect(refreshed.imports).toEqual([{ ...open, UpdatedAt: NOW.toISOString() }]);
    // A name that ProductFields shows with its spaces collapsed is held all the same.
    const spaced = { ...reportOnly([A, B]), rule: 'trial  accounts' };
    const spacedOpen = openFor(spaced);
    expect(
      diff([spacedOpen], scope([{ ...spaced, accounts: [A] }], [A], true, [A, B], ['trial  accounts'])).counts,
    ).toMatchObject({ untouched: 1, changed: 0 });
    // Another rule's transition holds nothing of this one.
    const other = diff([open], scope([reportOnly([A])], [A, B], true, [A, B], ['default']));
    expect(other.counts.changed).toBe(1);
  });

  it('sweeps every open finding it recognises, and no other', () => {
    const mine = [openFor(updateFailed()), openFor(reportOnly([A]))];
    const foreign = { ...openFor(updateFailed(B)), ProductFields: { other: 'x' } };
    const swept = sweepFindings([...mine, foreign], NOW);
    expect(swept.map((f) => f.Id)).toEqual(mine.map((f) => f.Id));
    for (const finding of swept) {
      expect(finding).toMatchObject({
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
        UpdatedAt: NOW.toISOString(),
      });
    }
  });

  it('moves UpdatedAt past the stored one when the clock is behind it, or Security Hub would ignore the update', () => {
    const ahead = openFor(updateFailed(), -1); // updated a day "in the future"
    const plan = diff([ahead], scope([]));
    expect(plan.archives[0]?.UpdatedAt).toBe(new Date(Date.parse(ahead.UpdatedAt) + 1).toISOString());
  });
});

// Properties over any run's outcomes and any open findings.
const ACCOUNTS = ['100000000001', '100000000002', '100000000003', '100000000004', '100000000005'];
const REGIONS = ['eu-west-1', 'us-east-1'];
const policy = validatePolicy(
  {
    version: 2,
    default: 'ACTIVATED',
    rules: [
      { name: 'off', accounts: [ACCOUNTS[0] as string], deepInspection: 'DEACTIVATED' },
      {
        name: 'trial',
        accounts: [ACCOUNTS[1] as string, ACCOUNTS[2] as string],
        deepInspection: 'ACTIVATED',
        enforcement: 'report',
      },
    ],
  },
  'test',
);
const outcomeArb: fc.Arbitrary<Omit<Outcome, 'accountId' | 'region'>> = fc.oneof(
  fc.constant({ kind: 'COMPLIANT' as const, state: 'ACTIVATED' as const }),
  fc.constant({
    kind: 'WOULD_ACTIVATE' as const,
    rule: 'trial',
    from: 'DEACTIVATED' as const,
    to: 'ACTIVATED' as const,
  }),
  fc.record({
    kind: fc.constant('SKIPPED' as const),
    rule: fc.constantFrom('default', 'off', 'trial'),
    reason: fc.constantFrom(
      'NOT_INSPECTOR_MEMBER',
      'EC2_SCANNING_NOT_ENABLED',
      'DEACTIVATION_HELD_BY_GUARDRAIL',
      'DEEP_INSPECTION_PENDING',
      'UNMANAGED',
      'ACCOUNT_ISOLATED',
    ),
    detail: fc.constantFrom('DISABLED', 'ENABLING', 'SUSPENDED'),
  }),
  fc.record({
    kind: fc.constant('FAILED' as const),
    rule: fc.constant('default'),
    reason: fc.constantFrom('UPDATE_FAILED', 'STATUS_UNREADABLE', 'TIMEOUT_NOT_REACHED', 'REGION_UNREADABLE'),
    desired: fc.constant('ACTIVATED' as const),
    errorMessage: fc.string({ maxLength: 8 }),
  }),
) as fc.Arbitrary<Omit<Outcome, 'accountId' | 'region'>>;
/** Some accounts and regions evaluated (a scoped run evaluates fewer), each with one outcome. */
const runArb = fc
  .array(fc.tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...REGIONS), outcomeArb), { maxLength: 12 })
  .map((entries) => {
    const seen = new Set<string>();
    return entries.flatMap(([accountId, outcomeRegion, outcome]) => {
      const key = `${accountId} ${outcomeRegion}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ ...outcome, accountId, region: outcomeRegion } as Outcome];
    });
  });
const runsArb = fc.record({
  earlier: runArb,
  now: runArb,
  wholeOrganization: fc.boolean(),
  ageDays: fc.double({ min: 0, max: 30, noNaN: true }),
});

/** Open findings as an earlier complete run would have left them, `ageDays` old. */
function openAfterEarlierRun(earlier: Outcome[], regionName: string, ageDays: number): AsffFinding[] {
  const byRegion = exceptionsByRegion(earlier, policy, { today: '2026-11-24', wholeOrganization: true });
  return (byRegion.get(regionName)?.exceptions ?? []).map((exception) => openFor(exception, ageDays));
}

function regionScope(outcomes: Outcome[], regionName: string, wholeOrganization: boolean): RegionExceptions {
  return (
    exceptionsByRegion(outcomes, policy, { today: '2026-11-24', wholeOrganization }).get(regionName) ?? {
      region: regionName,
      exceptions: [],
      settledAccounts: new Set(),
      evaluatedAccounts: new Set(),
      unsettledRules: new Set(),
      complete: false,
      scanSettledAccounts: new Set(),
      scanUnmanagedAccounts: new Set(),
    }
  );
}

describe('diffFindings, for any outcomes and open findings', () => {
  it('archives only account findings of pairs this run evaluated and settled, and rule findings of complete runs', () => {
    fc.assert(
      fc.property(runsArb, ({ earlier, now, wholeOrganization, ageDays }) => {
        for (const regionName of REGIONS) {
          const plan = diff(
            openAfterEarlierRun(earlier, regionName, ageDays),
            regionScope(now, regionName, wholeOrganization),
          );
          const settled = now
            .filter((o) => o.region === regionName && verdictOf(o, policy).settled)
            .map((o) => o.accountId);
          const evaluated = new Set(now.filter((o) => o.region === regionName).map((o) => o.accountId));
          const unread = now.some(
            (o) => o.region === regionName && o.kind === 'FAILED' && !verdictOf(o, policy).settled,
          );
          const archivedAccounts = plan.archives.filter((f) => f.ProductFields[FIELD.kind] === 'ACCOUNT');
          const archivedRules = plan.archives.filter((f) => f.ProductFields[FIELD.kind] === 'RULE');
          // Settled now, or (in a complete run) an account the run did not meet at all: it left the organization.
          const complete = wholeOrganization && !unread;
          expect(
            archivedAccounts
              .map((f) => f.ProductFields[FIELD.accountId] ?? '')
              .filter((id) => !settled.includes(id) && !(complete && !evaluated.has(id))),
          ).toEqual([]);
          expect(archivedRules.length === 0 || (wholeOrganization && !unread)).toBe(true);
          expect(archivedAccounts.length + archivedRules.length).toBe(plan.archives.length);
          for (const archived of plan.archives) {
            expect(archived).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
          }
        }
      }),
    );
  });

  it('makes no import when nothing changed and nothing is due for refresh', () => {
    fc.assert(
      fc.property(runArb, fc.double({ min: 0, max: REFRESH_AFTER_DAYS - 0.001, noNaN: true }), (outcomes, ageDays) => {
        for (const regionName of REGIONS) {
          const plan = diff(
            openAfterEarlierRun(outcomes, regionName, ageDays),
            regionScope(outcomes, regionName, true),
          );
          expect(plan.imports).toEqual([]);
          expect(plan.archives).toEqual([]);
        }
      }),
    );
  });

  it('converges: once a plan is applied, the same run plans nothing more', () => {
    fc.assert(
      fc.property(runsArb, ({ earlier, now, wholeOrganization, ageDays }) => {
        for (const regionName of REGIONS) {
          const open = openAfterEarlierRun(earlier, regionName, ageDays);
          const target = regionScope(now, regionName, wholeOrganization);
          const first = diff(open, target);
          const stillOpen = openAfter(open, first);
          const applied = [
            ...open.filter((f) => stillOpen.has(f.Id) && !first.imports.some((i) => i.Id === f.Id)),
            ...first.imports,
          ];
          const second = diff(applied, target, new Date(NOW.getTime() + 60_000));
          expect(second.imports).toEqual([]);
          expect(second.archives).toEqual([]);
        }
      }),
    );
  });
});

import fc from 'fast-check';
import { InvocationError, PolicyError } from '../../lambda/reconciler/errors/errors';
import { parseInvocation } from '../../lambda/reconciler/event';
import { isExpired } from '../../lambda/reconciler/policy/expiry';
import { isChange, isReportOnly, type Observation, type OrganizationAccount } from '../../lambda/reconciler/model';
import {
  desiredStateOf,
  planRegion,
  type RegionObservations,
  resolveTargets,
  scanTargetOf,
} from '../../lambda/reconciler/plan';
import { type Policy, SCAN_SETTINGS, validatePolicy } from '../../lambda/reconciler/policy/schema';
import { reconcile } from '../../lambda/reconciler/run/reconcile';
import { totalsOf } from '../../lambda/reconciler/run/summary';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from '../support/in-memory';
import { SimulatedOrganization } from '../../local/simulated-organization';

const UNITS = ['ou-ab12-00000001', 'ou-ab12-00000002', 'ou-ab12-00000003'];
const accountIdArb = fc.integer({ min: 100000000000, max: 100000000400 }).map(String);
const desiredArb = fc.constantFrom('ACTIVATED', 'DEACTIVATED', 'UNMANAGED');
const deepArb = fc.constantFrom('ACTIVATED', 'DEACTIVATED', 'PENDING', 'FAILED');

const accountArb: fc.Arbitrary<OrganizationAccount> = fc.record({
  id: accountIdArb,
  state: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'SUSPENDED', 'CLOSED', 'PENDING_CLOSURE'),
  ancestors: fc.subarray(UNITS).map((units) => ['r-ab12', ...units]),
});
const organizationArb = fc.uniqueArray(accountArb, { selector: (account) => account.id, maxLength: 60 });

const TODAY = '2026-11-24';
/** Days around TODAY: some rules expired, some on their last day, some still running. */
const expiryArb = fc.constantFrom('2026-11-01', '2026-11-23', '2026-11-24', '2026-11-25', '2027-03-31');
const enforcementArb = fc.constantFrom('enforce', 'report');

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    default: fc.record({ deepInspection: desiredArb, enforcement: enforcementArb }),
    rules: fc.array(
      fc
        .record(
          {
            accounts: fc.uniqueArray(accountIdArb, { minLength: 1, maxLength: 5 }),
            organizationalUnits: fc.uniqueArray(fc.constantFrom(...UNITS, 'r-ab12'), { minLength: 1 }),
            deepInspection: desiredArb,
            enforcement: enforcementArb,
            expires: expiryArb,
          },
          { requiredKeys: ['deepInspection'] },
        )
        .filter((rule) => rule.accounts !== undefined || rule.organizationalUnits !== undefined),
      { maxLength: 4 },
    ),
  })
  .map(({ default: fallback, rules }) =>
    validatePolicy(
      { version: 2, default: fallback, rules: rules.map((rule, i) => ({ name: `rule ${i}`, ...rule })) },
      'arbitrary',
    ),
  );

const observationArb: fc.Arbitrary<Observation | undefined> = fc.oneof(
  fc.record({
    kind: fc.constant('OBSERVED' as const),
    ec2ScanStatus: fc.constantFrom('ENABLED', 'ENABLED', 'DISABLED', 'SUSPENDED'),
    deepInspection: deepArb,
  }),
  fc.constant({ kind: 'SKIP' as const, reason: 'NOT_INSPECTOR_MEMBER' as const, detail: 'ACCESS_DENIED' }),
  fc.constant({ kind: 'UNREADABLE' as const, errorMessage: 'INTERNAL_ERROR' }),
  fc.constant(undefined),
);

/** A region: an organization and what Inspector says of each of its accounts. */
const scenarioArb = fc.record({ accounts: organizationArb, policy: policyArb }).chain(({ accounts, policy }) =>
  fc.record({
    accounts: fc.constant(accounts),
    policy: fc.constant(policy),
    observations: fc.tuple(...accounts.map(() => observationArb)),
    requested: fc.option(fc.array(accountIdArb, { maxLength: 20 }), { nil: undefined }),
  }),
);

function readOf(
  accounts: readonly OrganizationAccount[],
  observations: readonly (Observation | undefined)[],
): RegionObservations {
  const entries = accounts.flatMap((account, i) => (observations[i] ? [[account.id, observations[i]] as const] : []));
  return { readable: true, observations: new Map(entries) };
}

describe('planner properties', () => {
  it('gives exactly one outcome per distinct account evaluated, and the totals add up', () => {
    fc.assert(
      fc.property(scenarioArb, ({ accounts, policy, observations, requested }) => {
        const targets = resolveTargets(accounts, policy, TODAY, requested);
        const outcomes = planRegion('eu-west-1', targets, readOf(accounts, observations));
        const evaluated = new Set(requested ?? accounts.map((a) => a.id));
        expect(outcomes.map((o) => o.accountId).sort()).toEqual([...evaluated].sort());
        const totals = totalsOf(outcomes);
        expect(
          totals.compliant +
            totals.activated +
            totals.deactivated +
            totals.wouldActivate +
            totals.wouldDeactivate +
            totals.skipped +
            totals.failed,
        ).toBe(evaluated.size);
        expect(totals.accounts).toBe(evaluated.size);
      }),
    );
  });

  it('is idempotent: once its changes are applied, planning again changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, ({ accounts, policy, observations }) => {
        const targets = resolveTargets(accounts, policy, TODAY);
        const read = readOf(accounts, observations);
        const first = planRegion('eu-west-1', targets, read);
        if (!read.readable) return;
        const after = new Map(read.observations);
        for (const change of first.filter(isChange)) {
          const before = after.get(change.accountId);
          if (before?.kind === 'OBSERVED') after.set(change.accountId, { ...before, deepInspection: change.to });
        }
        const second = planRegion('eu-west-1', targets, { readable: true, observations: after });
        expect(second.filter(isChange)).toEqual([]);
      }),
    );
  });

  it('report-only rules make no change whatever the state: their mismatches are WOULD_* only', () => {
    fc.assert(
      fc.property(scenarioArb, ({ accounts, policy, observations }) => {
        const targets = resolveTargets(accounts, policy, TODAY);
        const outcomes = planRegion('eu-west-1', targets, readOf(accounts, observations));
        const reportOnly = new Set(
          targets.flatMap((t) => ('enforcement' in t && t.enforcement === 'report' ? [t.accountId] : [])),
        );
        // No account a report-only rule decides is ever changed, and every WOULD_* comes from such a rule.
        expect(outcomes.filter((o) => reportOnly.has(o.accountId) && isChange(o))).toEqual([]);
        expect(outcomes.filter((o) => isReportOnly(o) && !reportOnly.has(o.accountId))).toEqual([]);
      }),
    );
  });

  it('an expired rule never matches', () => {
    fc.assert(
      fc.property(scenarioArb, ({ accounts, policy }) => {
        const expired = new Set(policy.rules.filter((rule) => isExpired(rule, TODAY)).map((rule) => rule.name));
        for (const target of resolveTargets(accounts, policy, TODAY)) {
          expect(target.rule === undefined || !expired.has(target.rule)).toBe(true);
        }
      }),
    );
  });

  it('never changes an account the policy leaves UNMANAGED or one that is not ACTIVE', () => {
    fc.assert(
      fc.property(scenarioArb, ({ accounts, policy, observations }) => {
        const targets = resolveTargets(accounts, policy, TODAY);
        const outcomes = planRegion('eu-west-1', targets, readOf(accounts, observations));
        for (const outcome of outcomes.filter(isChange)) {
          const account = accounts.find((a) => a.id === outcome.accountId);
          expect(account?.state).toBe('ACTIVE');
          expect(targets.find((t) => t.accountId === outcome.accountId)).toHaveProperty('desired', outcome.to);
        }
      }),
    );
  });
});

/** What `fn` throws, or undefined when it returns. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('report-only runs', () => {
  it('a policy whose every rule and default are report-only writes nothing, whatever the organization', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, fc.integer({ min: 1, max: 1000 }), async (arbitrary, seed) => {
        const organization = SimulatedOrganization.generate({ accounts: 25, regions: ['eu-west-1'], seed });
        const inspector = new InMemoryInspector(organization, 'eu-west-1');
        const reportOnly = {
          version: 2,
          default: { deepInspection: arbitrary.default.deepInspection, enforcement: 'report' },
          rules: arbitrary.rules.map((rule) => ({ ...rule, enforcement: 'report' })),
        };
        const { summary } = await reconcile(
          {
            runId: 'r',
            dryRun: false,
            force: false,
            ownAccountId: organization.delegatedAdminAccountId,
            defaultRegion: 'eu-west-1',
          },
          {
            policy: new StaticPolicySource(JSON.stringify(reportOnly)),
            directory: new InMemoryDirectory(organization),
            inspectorFor: () => inspector,
            queue: new InMemoryQueue(),
            now: () => new Date(`${TODAY}T12:00:00Z`),
          },
        );
        expect(inspector.writes).toEqual([]);
        expect(summary.totals.activated + summary.totals.deactivated).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('input properties', () => {
  it('any JSON as a policy is either valid or a PolicyError, never another crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (document) => {
        const error = thrownBy(() => validatePolicy(document, 'arbitrary'));
        expect(error === undefined || (error instanceof PolicyError && error.problems.length > 0)).toBe(true);
      }),
    );
  });

  it('any JSON as a manual event is either a valid request or an InvocationError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        const error = thrownBy(() => parseInvocation(event));
        expect(error === undefined || error instanceof InvocationError).toBe(true);
      }),
    );
  });
});

describe('run properties', () => {
  it('any JSON as the stored policy either runs or fails with a PolicyError, and an invalid one writes nothing', async () => {
    const organization = SimulatedOrganization.generate({
      accounts: 30,
      regions: ['eu-west-1'],
      activated: 0.5,
      seed: 9,
    });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (document) => {
        const inspector = new InMemoryInspector(organization, 'eu-west-1');
        const queue = new InMemoryQueue();
        const deps = {
          policy: new StaticPolicySource(JSON.stringify(document)),
          directory: new InMemoryDirectory(organization),
          inspectorFor: () => inspector,
          queue,
        };
        const request = {
          runId: 'p',
          dryRun: false,
          force: false,
          ownAccountId: organization.delegatedAdminAccountId,
          defaultRegion: 'eu-west-1',
        };
        const error = await reconcile(request, deps).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error === undefined || error instanceof PolicyError).toBe(true);
        expect(error === undefined || (inspector.writes.length === 0 && queue.messages.length === 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

/** A version 3 policy: rules stating any of the three settings, a default scan configuration or none. */
const policyV3Arb: fc.Arbitrary<Policy> = fc
  .record({
    default: fc.record({ deepInspection: desiredArb, enforcement: enforcementArb }),
    scanConfiguration: fc.option(
      fc
        .record(
          {
            scanMode: fc.constantFrom('EC2_SSM_AGENT_BASED', 'EC2_HYBRID'),
            vmScanner: fc.constantFrom('ACTIVATED', 'DEACTIVATED'),
            enforcement: enforcementArb,
          },
          { requiredKeys: [] },
        )
        .filter((configuration) => configuration.scanMode !== undefined || configuration.vmScanner !== undefined),
      { nil: undefined },
    ),
    rules: fc.array(
      fc
        .record(
          {
            accounts: fc.uniqueArray(accountIdArb, { minLength: 1, maxLength: 5 }),
            organizationalUnits: fc.uniqueArray(fc.constantFrom(...UNITS, 'r-ab12'), { minLength: 1 }),
            deepInspection: desiredArb,
            scanMode: fc.constantFrom('EC2_SSM_AGENT_BASED', 'EC2_HYBRID', 'UNMANAGED'),
            vmScanner: fc.constantFrom('ACTIVATED', 'DEACTIVATED', 'UNMANAGED'),
            enforcement: enforcementArb,
            expires: expiryArb,
          },
          { requiredKeys: [] },
        )
        .filter((rule) => rule.accounts !== undefined || rule.organizationalUnits !== undefined)
        .filter((rule) => [rule.deepInspection, rule.scanMode, rule.vmScanner].some((value) => value !== undefined)),
      { maxLength: 5 },
    ),
  })
  .map(({ default: fallback, scanConfiguration, rules }) =>
    validatePolicy(
      {
        version: 3,
        default: fallback,
        ...(scanConfiguration === undefined ? {} : { scanConfiguration }),
        rules: rules.map((rule, i) => ({ name: `rule ${i}`, ...rule })),
      },
      'arbitrary',
    ),
  );

/** Some accounts placed in the organization, some not (their ancestry could not be found). */
const placedOrNotArb = fc.record(
  { id: accountIdArb, ancestors: fc.subarray(UNITS).map((units) => ['r-ab12', ...units]) },
  { requiredKeys: ['id'] },
);

describe('per-setting first match (version 3)', () => {
  it('decides each scan setting as deep inspection is decided by the rules that state that setting alone', () => {
    fc.assert(
      fc.property(policyV3Arb, placedOrNotArb, (policy, account) => {
        const decided = scanTargetOf(account, policy, TODAY);
        // The model: the setting's rules, and the default's value, read as if they were deep inspection's.
        const models = SCAN_SETTINGS.map((setting) => {
          const model = {
            ...policy,
            default: {
              deepInspection: policy.scanConfiguration?.[setting] ?? 'UNMANAGED',
              enforcement: policy.scanConfiguration?.enforcement ?? 'enforce',
            },
            rules: policy.rules.flatMap((rule) =>
              rule[setting] === undefined ? [] : [{ ...rule, deepInspection: rule[setting] }],
            ),
          } as unknown as Policy;
          return [setting, desiredStateOf(account, model, TODAY)] as const;
        });
        // Undecided for any setting: the account is undecided, at the first such setting's rule.
        const undecided = models.find(([, model]) => 'undecidedAt' in model);
        const target = Object.fromEntries(
          models.flatMap(([setting, model]) =>
            'state' in model && model.state !== 'UNMANAGED'
              ? [[setting, { value: model.state, rule: model.rule, enforcement: model.enforcement }]]
              : [],
          ),
        );
        expect(decided).toEqual(undecided === undefined ? { target } : undecided[1]);
      }),
    );
  });

  it('never lets an expired rule decide a setting', () => {
    fc.assert(
      fc.property(policyV3Arb, placedOrNotArb, (policy, account) => {
        const expired = new Set(policy.rules.filter((rule) => isExpired(rule, TODAY)).map((rule) => rule.name));
        const decided = scanTargetOf(account, policy, TODAY);
        const rules = 'target' in decided ? Object.values(decided.target).map((d) => d.rule) : [decided.undecidedAt];
        expect(rules.filter((rule) => expired.has(rule))).toEqual([]);
      }),
    );
  });

  it('any version 3 document built from near-valid parts is either valid or a PolicyError', () => {
    const value = fc.constantFrom('EC2_HYBRID', 'EC2_HYBIRD', 'ACTIVATED', 'activated', 'UNMANAGED', '', 3, null);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('scanMode', 'vmScanner', 'enforcement', 'vmScaner'), value),
        fc.array(fc.dictionary(fc.constantFrom('scanMode', 'vmScanner', 'deepInspection', 'enforcement'), value)),
        (scanConfiguration, settings) => {
          const document = {
            version: 3,
            default: 'ACTIVATED',
            scanConfiguration,
            rules: settings.map((rule, i) => ({ name: `r${i}`, accounts: ['111122223333'], ...rule })),
          };
          const error = thrownBy(() => validatePolicy(document, 'arbitrary'));
          expect(error === undefined || (error instanceof PolicyError && error.problems.length > 0)).toBe(true);
        },
      ),
    );
  });
});

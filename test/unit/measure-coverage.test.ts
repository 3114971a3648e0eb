import { measureCoverage } from '../../lambda/reconciler/coverage/measure';
import { InMemoryDirectory, InMemoryInspector, type InspectorFaults, StaticPolicySource } from '../support/in-memory';
import { SimulatedCoverage } from '../../local/simulated-coverage';
import { SimulatedOrganization } from '../../local/simulated-organization';

const REGIONS = ['us-east-1', 'eu-west-1'];
const LEGACY = '100000000003';

function world(policy: object, faults: Record<string, InspectorFaults> = {}) {
  const organization = SimulatedOrganization.generate({ accounts: 40, regions: REGIONS, activated: 0.7, seed: 4 });
  organization.coverage = new SimulatedCoverage(organization, 6, 2);
  const inspectors = new Map(
    REGIONS.map((region) => [region, new InMemoryInspector(organization, region, faults[region])]),
  );
  const deps = {
    policy: new StaticPolicySource(JSON.stringify(policy)),
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region: string) => inspectors.get(region) as InMemoryInspector,
  };
  const request = { runId: 'c-1', ownAccountId: organization.delegatedAdminAccountId, defaultRegion: 'us-east-1' };
  return { organization, inspectors, deps, request };
}

const policy = {
  version: 2,
  default: 'ACTIVATED',
  regions: REGIONS,
  rules: [{ name: 'legacy', accounts: [LEGACY], deepInspection: 'UNMANAGED' }],
};

describe('measureCoverage', () => {
  it('counts the instances of the accounts the policy manages, not those it leaves alone, and writes nothing', async () => {
    const { organization, inspectors, deps, request } = world(policy);
    const { summary, accounts } = await measureCoverage(request, deps);
    for (const region of REGIONS) {
      const all = [...organization.coverage.instances(region)];
      const legacy = all.filter((instance) => instance.accountId === LEGACY).length;
      const measured = summary.regions.find((r) => r.region === region);
      expect(legacy).toBeGreaterThan(0);
      expect(measured?.totals.instances).toBe(all.length - legacy);
      expect(measured?.outside).toBe(legacy);
    }
    expect(accounts.some((account) => account.accountId === LEGACY)).toBe(false);
    expect(accounts).toHaveLength(39 * REGIONS.length);
    expect([...inspectors.values()].flatMap((inspector) => inspector.writes)).toEqual([]);
  });

  it.each([
    ['GetDelegatedAdminAccount names another account', { administrator: '999988887777' }],
    [
      'GetDelegatedAdminAccount is denied and every member read answers ACCESS_DENIED',
      { error: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }) },
    ],
  ])(
    'fails a region where this account is not the delegated administrator (%s), as a run does, instead of reporting its coverage',
    async (_case, notAdministrator) => {
      const { deps, request } = world(policy, { 'eu-west-1': { notAdministrator } });

      const { summary, accounts } = await measureCoverage(request, deps);

      expect(summary.regions[1]).toMatchObject({
        region: 'eu-west-1',
        errorVerdict: 'PERMANENT',
        notDelegatedAdministrator: true,
      });
      expect(summary.regions[1]?.error).toMatch(
        /^this account is not Inspector's delegated administrator in eu-west-1: designate it, or remove the region from the policy \(/,
      );
      expect(summary.regions[1]?.totals.effectivePercent).toBeUndefined();
      expect(accounts.filter((account) => account.region === 'eu-west-1')).toEqual([]);
      expect(summary.regions[0]?.error).toBeUndefined();
      expect(summary.regions[0]?.totals.instances).toBeGreaterThan(50);
    },
  );

  it('a throttled GetDelegatedAdminAccount fails the region as a retry heals it, never "not the delegated administrator"', async () => {
    const { deps, request, inspectors } = world(policy);
    jest
      .spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'delegatedAdministrator')
      .mockResolvedValue({ error: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) });

    const { summary } = await measureCoverage(request, deps);

    expect(summary.regions[1]).toMatchObject({ errorVerdict: 'TRANSIENT' });
    expect(summary.regions[1]?.error).toContain('GetDelegatedAdminAccount failed: ThrottlingException: Rate exceeded');
    expect(summary.regions[1]).not.toHaveProperty('notDelegatedAdministrator');
  });

  it('reports a region whose coverage cannot be read, and measures the others', async () => {
    const { deps, request } = world(policy, {
      'eu-west-1': { regionError: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }) },
    });
    const { summary } = await measureCoverage(request, deps);
    expect(summary.regions.map((r) => [r.region, r.error])).toEqual([
      ['us-east-1', undefined],
      ['eu-west-1', 'AccessDeniedException: denied'],
    ]);
    expect(summary.regions[0]?.totals.instances).toBeGreaterThan(50);
  });

  it('classifies a region that cannot be read as a run does: its verdict, and a region this account has not enabled, not called', async () => {
    const { deps, request, inspectors } = world(policy, {
      'eu-west-1': { regionError: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) },
    });
    const throttled = await measureCoverage(request, deps);
    const read = jest.spyOn(inspectors.get('eu-west-1') as InMemoryInspector, 'read');
    const disabled = await measureCoverage(request, {
      ...deps,
      regions: {
        optStatuses: async () => ({
          listed: true,
          byRegion: new Map([
            ['us-east-1', 'ENABLED_BY_DEFAULT'],
            ['eu-west-1', 'DISABLED'],
          ]),
        }),
      },
    });

    expect(throttled.summary.regions[1]).toMatchObject({
      error: 'ThrottlingException: Rate exceeded',
      errorVerdict: 'TRANSIENT',
    });
    expect(read).not.toHaveBeenCalled();
    expect(disabled.summary.regions[1]).toMatchObject({
      error:
        'eu-west-1 is not enabled for this account (RegionOptStatus DISABLED): enable eu-west-1 for this account, or remove it from the policy',
      errorVerdict: 'PERMANENT',
      notEnabled: true,
    });
    expect(disabled.summary.regions[0]?.totals.instances).toBeGreaterThan(50);
  });

  it('says "transient" when the policy or the organization cannot be read for a passing reason', async () => {
    const { deps, request } = world(policy);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    await expect(
      measureCoverage(request, { ...deps, directory: { listAccounts: () => Promise.reject(throttled) } }),
    ).rejects.toThrow('transient: reading the organization (Organizations): TooManyRequestsException: Rate exceeded');
  });

  it('names the regions below the policy’s minimum effective coverage', async () => {
    const { deps, request } = world({ ...policy, coverage: { minimumEffectivePercent: 99 } });
    const { summary } = await measureCoverage(request, deps);
    expect(summary.minimumEffectivePercent).toBe(99);
    expect(summary.regionsBelowMinimum).toEqual(REGIONS);

    const lenient = world({ ...policy, coverage: { minimumEffectivePercent: 0 } });
    expect((await measureCoverage(lenient.request, lenient.deps)).summary.regionsBelowMinimum).toEqual([]);
  });

  it('measures only the requested accounts and regions', async () => {
    const { deps, request } = world(policy);
    const { summary, accounts } = await measureCoverage(
      { ...request, regions: ['eu-west-1'], accountIds: ['100000000001', '100000000002'] },
      deps,
    );
    expect(summary.regions.map((r) => r.region)).toEqual(['eu-west-1']);
    expect(new Set(accounts.map((a) => a.accountId))).toEqual(new Set(['100000000001', '100000000002']));
  });
});

describe('measureCoverage: instances by scanner before and after a planned scan configuration change', () => {
  const reads = (inspectors: Map<string, InMemoryInspector>) =>
    [...inspectors.values()].reduce((sum, inspector) => sum + inspector.scanConfigurationReads, 0);

  it('makes no call beyond today’s when the policy manages no scan configuration, though asked', async () => {
    const { inspectors, deps, request } = world(policy);
    const { summary } = await measureCoverage({ ...request, scannerChanges: true }, deps);
    expect(reads(inspectors)).toBe(0);
    expect(summary.regions.every((region) => region.scannerChanges === undefined)).toBe(true);
  });

  const vmScannerEverywhere = { ...policy, version: 3, scanConfiguration: { vmScanner: 'ACTIVATED' } };

  it('makes no scan configuration call when not asked (the function’s daily measurement)', async () => {
    const { inspectors, deps, request } = world(vmScannerEverywhere);
    const { summary } = await measureCoverage(request, deps);
    expect(reads(inspectors)).toBe(0);
    expect(summary.regions.every((region) => region.scannerChanges === undefined)).toBe(true);
  });

  it('reads each counted member with instances once a region, and projects the VM scanner taking over the plugin’s instances', async () => {
    const { organization, inspectors, deps, request } = world(vmScannerEverywhere);
    const { summary, accounts } = await measureCoverage({ ...request, scannerChanges: true }, deps);
    for (const region of REGIONS) {
      const withInstances = accounts.filter(
        (a) => a.region === region && a.instances > 0 && a.accountId !== organization.delegatedAdminAccountId,
      );
      const changes = summary.regions.find((r) => r.region === region)?.scannerChanges;
      expect(changes?.reads).toBe(withInstances.length);
      expect(changes?.unread).toEqual([]);
      // Every account reads the VM scanner DEACTIVATED (the simulation's default): each with plugin instances moves.
      const moving = accounts.filter((a) => a.region === region && a.byScanner.ssmPlugin > 0);
      expect(changes?.accounts.map((move) => move.accountId).sort()).toEqual(moving.map((a) => a.accountId).sort());
      const plugin = moving.reduce((sum, a) => sum + a.byScanner.ssmPlugin, 0);
      expect(changes?.before.ssmPlugin).toBe(plugin);
      expect(changes?.after).toMatchObject({ ssmPlugin: 0, vmScanner: (changes?.before.vmScanner ?? 0) + plugin });
    }
    expect(reads(inspectors)).toBe(
      summary.regions.reduce((sum, region) => sum + (region.scannerChanges?.reads ?? 0), 0),
    );
    expect([...inspectors.values()].flatMap((inspector) => inspector.writes)).toEqual([]);
  });
});

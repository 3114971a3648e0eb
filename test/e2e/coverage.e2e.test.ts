import type { CoverageSummary } from '../../lambda/reconciler/coverage/measure';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedCoverage } from '../../local/simulated-coverage';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { buildBundle, invokeBundle } from '../../local/bundle';
import { functionEnvironment, POLICY_PARAMETER } from '../support/function-environment';

/** Effective coverage over the wire, against the bundled function, checked against the simulator's own truth. */

const REGIONS = ['us-east-1', 'eu-west-1'];
const UNMANAGED = '100000000005';
const PARAMETER = POLICY_PARAMETER;
const policy = {
  version: 2,
  default: 'ACTIVATED',
  regions: REGIONS,
  rules: [{ name: 'legacy, hands off', accounts: [UNMANAGED], deepInspection: 'UNMANAGED' }],
  coverage: { minimumEffectivePercent: 90 },
};

let bundle: string;
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: Record<string, string>;

beforeAll(() => {
  bundle = buildBundle();
});

beforeEach(async () => {
  organization = SimulatedOrganization.generate({
    accounts: 150,
    regions: REGIONS,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.6,
    seed: 21,
  });
  // About 8 instances an account and region: several pages of 200 in each region.
  organization.coverage = new SimulatedCoverage(organization, 8, 3);
  // Each scanner somewhere: in eu-west-1 the administrator activates the VM scanner, which its members inherit;
  // in us-east-1 (hybrid scanning, a new account's default) every fourth account keeps to the SSM plugin alone.
  const admin = organization.inspectorAccount('eu-west-1', organization.delegatedAdminAccountId);
  if (admin) admin.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
  organization.accounts.forEach((account, index) => {
    const state = organization.inspectorAccount('us-east-1', account.id);
    if (state && index % 4 === 3)
      state.ec2Configuration = { scanMode: 'EC2_SSM_AGENT_BASED', vmScannerActivated: false };
  });
  endpoint = await LocalAwsEndpoint.start(organization);
  endpoint.state.parameters.set(PARAMETER, { value: JSON.stringify(policy), version: 1 });
  env = functionEnvironment(endpoint, endpoint.createQueue('failed-accounts'));
});

afterEach(async () => {
  await endpoint.close();
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

/** What a correct report says, from the simulator's profiles: written here, not with the function's classifier. */
function groundTruth(region: string) {
  const managed = new Set(
    organization.accounts.filter((a) => a.state === 'ACTIVE' && a.id !== UNMANAGED).map((a) => a.id),
  );
  const truth = {
    instances: 0,
    deepInspected: 0,
    fixable: 0,
    expected: 0,
    vmScannerNotScanning: 0,
    activatedDeep: 0,
    activatedFixable: 0,
  };
  const reasons: Record<string, number> = {};
  for (const { accountId, profile } of organization.coverage.instances(region)) {
    if (!managed.has(accountId)) continue;
    const activated = organization.inspectorAccount(region, accountId)?.deepInspection === 'ACTIVATED';
    truth.instances += 1;
    // The VM scanner's instances are counted apart from deep inspection: their truth holds whatever its setting.
    const verdict =
      profile.scanMode === 'EC2_INSPECTOR_AGENT_BASED'
        ? profile.truth
        : profile.platform === 'WINDOWS'
          ? { reason: 'NOT_LINUX', fixable: false }
          : !activated
            ? { reason: 'DEEP_INSPECTION_NOT_ACTIVATED', fixable: false }
            : profile.truth;
    if ('deepInspected' in verdict) {
      truth.deepInspected += 1;
      if (activated) truth.activatedDeep += 1;
      continue;
    }
    reasons[verdict.reason] = (reasons[verdict.reason] ?? 0) + 1;
    if (profile.scanMode === 'EC2_INSPECTOR_AGENT_BASED' && verdict.reason !== 'VM_SCANNER') {
      truth.vmScannerNotScanning += 1;
    }
    if (verdict.fixable) {
      truth.fixable += 1;
      if (activated) truth.activatedFixable += 1;
    } else truth.expected += 1;
  }
  return { truth, reasons };
}

describe('effective coverage, the bundled function against the local endpoint', () => {
  it('counts every region exactly as the simulator’s ground truth, in pages of 200, and writes nothing', async () => {
    const summary = (await invokeBundle(
      bundle,
      { coverage: true },
      organization.delegatedAdminAccountId,
      env,
    )) as CoverageSummary;

    for (const region of REGIONS) {
      const { truth, reasons } = groundTruth(region);
      const measured = summary.regions.find((r) => r.region === region);
      const effective = Math.round((1000 * truth.activatedDeep) / (truth.activatedDeep + truth.activatedFixable)) / 10;
      expect(measured?.totals).toEqual({
        instances: truth.instances,
        deepInspected: truth.deepInspected,
        fixable: truth.fixable,
        expected: truth.expected,
        vmScannerNotScanning: truth.vmScannerNotScanning,
        effectivePercent: effective,
      });
      expect(measured?.notDeepInspected).toEqual(reasons);
      expect(truth.instances).toBeGreaterThan(600);
      // Not vacuous: agentless instances in both regions, the VM scanner's where it is activated.
      expect(reasons.AGENTLESS_SCAN).toBeGreaterThan(0);
      const vmScannerActivated = region === 'eu-west-1';
      expect((reasons.VM_SCANNER ?? 0) > 0).toBe(vmScannerActivated);
      expect(truth.vmScannerNotScanning > 0).toBe(vmScannerActivated);
      // Every instance of the organization, managed or not, arrives in pages of 200.
      const all = [...organization.coverage.instances(region)].length;
      expect(endpoint.callCount('ListCoverage', region)).toBe(Math.ceil(all / 200));
    }
    expect(summary.minimumEffectivePercent).toBe(90);
    expect(summary.regionsBelowMinimum).toEqual(REGIONS);
    expect(endpoint.writeCount()).toBe(0);
  });
});

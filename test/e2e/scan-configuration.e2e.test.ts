import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetConfigurationCommand, Inspector2Client } from '@aws-sdk/client-inspector2';
import { EXIT } from '../../cli/exit-codes';
import type { RunView } from '../../cli/view';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { inSlice, sliceWindow } from '../../lambda/reconciler/scan-configuration/slice';
import { buildBundle, invokeBundle } from '../../local/bundle';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { runCli } from '../support/cli';
import { createLedgerAsDeployed, functionEnvironment, POLICY_PARAMETER } from '../support/function-environment';

/*
 * Issue 26's "done when", against the local endpoint: the EC2 scan configuration as policy through the
 * command (plan, apply, the next run, report-only, the guardrail) and the bundled function (no new call when
 * no scan configuration is managed; a scheduled run reads its slice of the day).
 */

const REGIONS = ['us-east-1', 'eu-west-1'];
const PLATFORM = 'ou-ex12-00000001';
const SANDBOX = 'ou-ex12-00000002';
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: NodeJS.ProcessEnv;
let file: string;
const savedEnv = { ...process.env };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({
    accounts: 80,
    regions: REGIONS,
    depth: 1,
    unitsPerLevel: 2,
    closed: 0.05,
    nonMembers: 0.05,
    ec2ScanningOff: 0.05,
    activated: 0.5,
    seed: 26,
  });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
  env = { ...process.env };
  delete env.npm_config_dry_run;
  delete env.npm_config_yes;
  delete env.npm_lifecycle_event;
  // Pacing loose enough not to slow the suite: one GetConfiguration a member (pacing has its own tests).
  env.INSPECTOR_REQUESTS_PER_SECOND = '200';
  file = path.join(mkdtempSync(path.join(tmpdir(), 'scan-')), 'policy.json');
  // Updates read PENDING until settleNow, however long a run takes on a busy machine.
  endpoint.simulation.pendingMs = Number.POSITIVE_INFINITY;
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

const writePolicy = (policy: object) => writeFileSync(file, JSON.stringify({ regions: REGIONS, ...policy }));
const cli = async (...args: string[]) => {
  const result = await runCli([...args, '--policy-file', file, '--output', 'json'], { env });
  return { ...result, view: JSON.parse(result.stdout || '{}') as RunView };
};
const under = (unit: string) =>
  organization.accounts.filter((a) => organization.ancestorsOf(a.id).includes(unit)).map((a) => a.id);
/** Members the administrator reads in the region, with EC2 scanning ENABLED: whose scan configuration can be held. */
const eligible = (region: string, ids: readonly string[]) =>
  ids.filter((id) => {
    const state = organization.inspectorAccount(region, id);
    return (
      id !== organization.delegatedAdminAccountId &&
      organization.account(id)?.state === 'ACTIVE' &&
      state?.member === true &&
      state.ec2ScanStatus === 'ENABLED'
    );
  });
const where = (entries: readonly { region: string; accountId: string }[]) =>
  entries.map((entry) => `${entry.region} ${entry.accountId}`).sort();
const expected = (ids: readonly string[]) =>
  REGIONS.flatMap((region) => eligible(region, ids).map((id) => `${region} ${id}`)).sort();

/** GetConfiguration with the member's accountId, as the administrator reads it. */
async function readBack(region: string, accountId: string) {
  const client = new Inspector2Client({ region, endpoint: endpoint.url, maxAttempts: 1 });
  try {
    return (await client.send(new GetConfigurationCommand({ accountId }))).ec2Configuration;
  } finally {
    client.destroy();
  }
}

describe('the EC2 scan configuration as policy, through plan and apply', () => {
  const policy = {
    version: 3,
    default: 'UNMANAGED',
    rules: [
      { name: 'platform on the VM scanner', organizationalUnits: [PLATFORM], vmScanner: 'ACTIVATED' },
      {
        name: 'sandbox agent only, trial',
        organizationalUnits: [SANDBOX],
        scanMode: 'EC2_SSM_AGENT_BASED',
        enforcement: 'report',
      },
    ],
    guardrails: { maxDeactivationsPerRun: 1000 },
  };

  it('plan writes nothing and lists each change with its rule; apply makes it so; the next run writes nothing', async () => {
    writePolicy(policy);
    const platform = expected(under(PLATFORM));
    const sandbox = expected(under(SANDBOX));
    expect(platform.length).toBeGreaterThan(20);
    expect(sandbox.length).toBeGreaterThan(20);

    const plan = await cli('plan');

    expect(plan.status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBe(0);
    const listed = plan.view.scanConfigurationChanges ?? [];
    // A plan names what apply would write WOULD_UPDATE, and a report-only rule's REPORT_ONLY_WOULD_UPDATE.
    const updates = listed.filter((entry) => entry.kind === 'WOULD_UPDATE');
    expect(where(updates)).toEqual(platform);
    expect(updates.every((entry) => entry.write === 'MEMBER')).toBe(true);
    expect(updates[0]?.changes).toEqual([
      { setting: 'vmScanner', from: 'DEACTIVATED', to: 'ACTIVATED', rule: 'platform on the VM scanner' },
    ]);
    // The report-only rule: every sandbox account whose scan mode it would change, never written.
    const reportOnly = listed.filter((entry) => entry.kind === 'REPORT_ONLY_WOULD_UPDATE');
    expect(where(reportOnly)).toEqual(sandbox);
    expect(reportOnly[0]?.changes).toEqual([
      { setting: 'scanMode', from: 'EC2_HYBRID', to: 'EC2_SSM_AGENT_BASED', rule: 'sandbox agent only, trial' },
    ]);
    expect(plan.view.scanConfiguration).toMatchObject({
      wouldUpdate: platform.length,
      reportOnlyWouldUpdate: sandbox.length,
    });
    expect(plan.view.scanConfiguration).not.toHaveProperty('updated');
    const table = await runCli(['plan', '--policy-file', file], { env });
    expect(table.stdout).toContain('VM scanner DEACTIVATED → ACTIVATED (rule "platform on the VM scanner")');

    const apply = await cli('apply', '--yes');

    expect(apply.status).toBe(EXIT.DONE);
    expect(endpoint.callCount('UpdateConfiguration')).toBe(platform.length);
    expect(where(apply.view.scanConfigurationChanges?.filter((entry) => entry.kind === 'UPDATE') ?? [])).toEqual(
      platform,
    );
    endpoint.settleNow();
    for (const entry of platform) {
      const [region, accountId] = entry.split(' ') as [string, string];
      const configuration = await readBack(region, accountId);
      expect(configuration?.vmScannerState).toMatchObject({ activated: true, status: 'SUCCESS' });
    }
    // The report-only rule's accounts are as they were.
    for (const entry of sandbox) {
      const [region, accountId] = entry.split(' ') as [string, string];
      expect((await readBack(region, accountId))?.scanModeState?.scanMode).toBe('EC2_HYBRID');
    }

    endpoint.resetCounters();
    const next = await cli('apply', '--yes');

    expect(next.status).toBe(EXIT.DONE);
    expect(next.stderr).toContain('Nothing to apply: nothing written.');
    expect(endpoint.writeCount()).toBe(0);
    expect(next.view.scanConfiguration).toMatchObject({ updated: 0, failed: 0, compliant: platform.length });
    expect(
      where(next.view.scanConfigurationChanges?.filter((entry) => entry.kind === 'REPORT_ONLY_WOULD_UPDATE') ?? []),
    ).toEqual(sandbox);
  });

  it('plan --out saves each scan configuration change; apply FILE writes exactly those', async () => {
    writePolicy(policy);
    const platform = expected(under(PLATFORM));
    const out = path.join(path.dirname(file), 'plan.json');

    const plan = await runCli(['plan', '--policy-file', file, '--out', out], { env });
    expect(plan.status).toBe(EXIT.DONE);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as {
      scanConfigurationChanges: { region: string; accountId: string }[];
    };
    expect(where(saved.scanConfigurationChanges)).toEqual(platform);

    const apply = await runCli(['apply', out, '--yes', '--output', 'json'], { env });

    expect(apply.status).toBe(EXIT.DONE);
    expect(endpoint.callCount('UpdateConfiguration')).toBe(platform.length);
    const view = JSON.parse(apply.stdout) as RunView;
    expect(where(view.scanConfigurationChanges?.filter((entry) => entry.kind === 'UPDATE') ?? [])).toEqual(platform);
  });

  it('an apply that would switch the VM scanner off in more accounts than the guardrail allows holds them all', async () => {
    const platform = under(PLATFORM);
    for (const region of REGIONS) {
      for (const id of eligible(region, platform)) {
        const state = organization.inspectorAccount(region, id);
        if (state) state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
      }
    }
    writePolicy({
      version: 3,
      default: 'UNMANAGED',
      rules: [{ name: 'platform off the VM scanner', organizationalUnits: [PLATFORM], vmScanner: 'DEACTIVATED' }],
      guardrails: { maxDeactivationsPerRun: 5 },
    });
    const narrowed = new Set(REGIONS.flatMap((region) => eligible(region, platform)));

    const apply = await cli('apply', '--yes');

    expect(apply.status).toBe(EXIT.HELD_BY_GUARDRAIL);
    expect(endpoint.callCount('UpdateConfiguration')).toBe(0);
    expect(apply.view.guardrail).toMatchObject({
      tripped: true,
      wouldDeactivate: narrowed.size,
      wouldNarrowScanConfiguration: narrowed.size,
    });
    const held = apply.view.scanConfigurationChanges?.filter((entry) => entry.reason === 'NARROWING_HELD_BY_GUARDRAIL');
    expect(where(held ?? [])).toEqual(expected(platform));
  });
});

describe('the bundled function', () => {
  let bundle: string;
  let queueUrl: string;
  beforeAll(() => {
    bundle = buildBundle();
  });
  const invoke = (policy: object, event: object, extra: Record<string, string> = {}) => {
    endpoint.state.parameters.set(POLICY_PARAMETER, {
      value: JSON.stringify({ regions: REGIONS, ...policy }),
      version: 1,
    });
    createLedgerAsDeployed(endpoint);
    queueUrl = endpoint.createQueue('failed-accounts');
    const environment = { ...functionEnvironment(endpoint, queueUrl), ...extra };
    return invokeBundle(bundle, event, organization.delegatedAdminAccountId, environment) as Promise<RunSummary>;
  };

  it('makes no new call when the policy manages no scan configuration: the administrator configuration alone, once a region', async () => {
    const unmanaged = {
      version: 3,
      default: 'ACTIVATED',
      rules: [{ name: 'sandbox off', organizationalUnits: [SANDBOX], deepInspection: 'DEACTIVATED' }],
      guardrails: { maxDeactivationsPerRun: 1000 },
    };
    const summary = await invoke(unmanaged, { dryRun: true });
    expect(summary.scanConfiguration).toBeUndefined();
    expect(REGIONS.map((region) => endpoint.callCount('GetConfiguration', region))).toEqual([1, 1]);
    expect(endpoint.callCount('UpdateConfiguration')).toBe(0);
    const callsOf = () => new Map([...endpoint.calls].filter(([key]) => !key.includes('@')));
    const v3 = callsOf();

    // The same policy as version 2 makes exactly the same calls.
    endpoint.resetCounters();
    await invoke({ ...unmanaged, version: 2 }, { dryRun: true });
    expect(callsOf()).toEqual(v3);
  });

  it("a scheduled run reads its window of the day's members, and writes them", async () => {
    const policy = {
      version: 3,
      default: 'UNMANAGED',
      rules: [{ name: 'all on the VM scanner', organizationalUnits: ['r-ex12'], vmScanner: 'ACTIVATED' }],
    };
    const scheduledTime = '2026-12-05T13:00:00Z';
    const period = 6 * 3600;
    const window = sliceWindow(new Date(scheduledTime), period);
    const inWindow = REGIONS.flatMap((region) =>
      eligible(
        region,
        organization.accounts.map((a) => a.id),
      ).filter((id) => inSlice(id, { window })),
    );
    expect(inWindow.length).toBeGreaterThan(5);

    const summary = await invoke(
      policy,
      { trigger: 'schedule', scheduledTime, scheduleExecutionId: 'e-1' },
      { SCHEDULE_PERIOD_SECONDS: String(period) },
    );

    // The administrator's own, once a region, and one a member in the window.
    expect(endpoint.callCount('GetConfiguration')).toBe(REGIONS.length + inWindow.length);
    expect(summary.scanConfiguration).toMatchObject({ updated: inWindow.length, failed: 0, reads: inWindow.length });
    expect(endpoint.callCount('UpdateConfiguration')).toBe(inWindow.length);
  });
});

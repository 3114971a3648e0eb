import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { buildFunction, type DeployedFunction, invokeBundle } from '../../local/bundle';
import { accountId, SimulatedOrganization } from '../../local/simulated-organization';
import { evaluatedStrings } from '../support/bundle-coverage';
import { createLedgerAsDeployed, functionEnvironment, POLICY_PARAMETER } from '../support/function-environment';

/**
 * Issue 18's scripted sequence, run by run, through the bundled function (the esbuild output `cdk deploy`
 * uploads, with the environment the stack gives it under securityHubFindings) against the local endpoint's
 * Security Hub: an exception appears, persists, is worked on by a person, changes, is fixed; a region
 * unreadable, a scoped run and a plan leave the findings alone; the feature off calls nothing.
 * test/e2e/findings.e2e.test.ts drives the findings step alone, with a clock, for the weekly refresh.
 */

const HOME = 'eu-west-1';
const OTHER = 'us-east-1';
const REGIONS = [OTHER, HOME];
/** EC2 scanning off in HOME: an exception while the policy wants deep inspection there. */
const X = accountId(1);
const Z = accountId(2);
const SECURITY_HUB_OPERATIONS = ['DescribeHub', 'GetFindings', 'BatchImportFindings', 'BatchUpdateFindings'];

const policy = (overrides: object = {}) => ({
  version: 2,
  default: 'ACTIVATED',
  regions: REGIONS,
  guardrails: { maxDeactivationsPerRun: 1000 },
  findings: { securityHub: true },
  ...overrides,
});

let fn: DeployedFunction;
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: Record<string, string>;
let policyVersion: number;

beforeAll(() => {
  fn = buildFunction({ securityHubFindings: true });
});

beforeEach(async () => {
  // Every account an ACTIVE member, EC2 scanning on, deep inspection ACTIVATED: nothing to change but X.
  organization = SimulatedOrganization.generate({
    accounts: 12,
    regions: REGIONS,
    closed: 0,
    nonMembers: 0,
    ec2ScanningOff: 0,
    activated: 1,
  });
  endpoint = await LocalAwsEndpoint.start(organization);
  const queueUrl = endpoint.createQueue('failed-accounts');
  createLedgerAsDeployed(endpoint);
  policyVersion = 0;
  storePolicy(policy());
  // The variable as the stack sets it with the setting on: its name and value come from the template.
  env = {
    ...functionEnvironment(endpoint, queueUrl),
    SECURITY_HUB_FINDINGS: fn.environment.SECURITY_HUB_FINDINGS ?? '',
  };
  scanning(X, HOME, 'DISABLED');
});

afterEach(async () => {
  await endpoint.close();
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

function storePolicy(document: object) {
  policyVersion += 1;
  endpoint.state.parameters.set(POLICY_PARAMETER, { value: JSON.stringify(document), version: policyVersion });
}

function scanning(account: string, region: string, status: 'ENABLED' | 'DISABLED') {
  const state = organization.inspectorAccount(region, account);
  if (state === undefined) throw new Error(`no Inspector state for ${account} in ${region}`);
  state.ec2ScanStatus = status;
}

const run = (event: unknown = {}, environment = env) =>
  invokeBundle(fn.bundle, event, organization.delegatedAdminAccountId, environment) as Promise<RunSummary>;

type StoredFinding = Record<string, unknown> & { Id: string; ProductFields: Record<string, string> };
const stored = (region: string) => endpoint.state.securityHub.findingsIn(region) as StoredFinding[];
const xId = `deep-inspection-reconciler/${HOME}/account/${X}/EC2_SCANNING_NOT_ENABLED`;
const xFinding = () => endpoint.state.securityHub.finding(xId) as StoredFinding | undefined;
const securityHubCalls = () =>
  SECURITY_HUB_OPERATIONS.reduce((sum, operation) => sum + endpoint.callCount(operation), 0);
/** Security Hub's whole state, every region, as a person's console would list it. */
const snapshot = () => JSON.stringify(REGIONS.map(stored));

describe('the bundled function’s findings, run by run, against the local Security Hub', () => {
  it('is deployed with the setting on: the stack tells the function SECURITY_HUB_FINDINGS "true"', () => {
    expect(fn.environment.SECURITY_HUB_FINDINGS).toBe('true');
  });

  it('an exception appears as one ACTIVE finding with its fields, persists without a re-import, survives a person’s workflow, changes, and is archived once fixed', async () => {
    const admin = organization.delegatedAdminAccountId;

    // 1. It appears: one ACTIVE finding, in the region it is about, as the delegated administrator's.
    const first = await run();
    expect(first.findings).toMatchObject({ imported: 1, archived: 0, failed: 0 });
    expect(stored(OTHER)).toEqual([]);
    expect(stored(HOME)).toEqual([
      expect.objectContaining({
        Id: xId,
        ProductArn: `arn:aws:securityhub:${HOME}:${admin}:product/${admin}/default`,
        GeneratorId: 'deep-inspection-reconciler',
        AwsAccountId: admin,
        Region: HOME,
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED' },
        FindingProviderFields: expect.objectContaining({ Severity: { Label: 'HIGH', Original: 'HIGH' } }),
        Types: ['Software and Configuration Checks/AWS Security Best Practices'],
        Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${X}`, Partition: 'aws', Region: HOME }],
        Remediation: {
          Recommendation: expect.objectContaining({ Url: expect.stringMatching(/^https:\/\/docs\.aws/) }),
        },
        ProductFields: expect.objectContaining({
          'DeepInspectionReconciler/Reason': 'EC2_SCANNING_NOT_ENABLED',
          'DeepInspectionReconciler/Rule': 'default',
          'DeepInspectionReconciler/Desired': 'ACTIVATED',
        }),
        Workflow: { Status: 'NEW' },
      }),
    ]);

    // 2. It persists, and the policy is saved again unchanged (a new parameter version): no import, no duplicate.
    const createdAt = xFinding()?.UpdatedAt;
    storePolicy(policy());
    endpoint.resetCounters();
    const second = await run();
    expect(endpoint.callCount('BatchImportFindings')).toBe(0);
    // One read a region: one page of GetFindings, which also says Security Hub is enabled.
    expect(securityHubCalls()).toBe(2);
    expect(second.findings).toMatchObject({ imported: 0, unchanged: 1, calls: 2 });
    expect(stored(HOME)).toHaveLength(1);
    expect(xFinding()?.UpdatedAt).toBe(createdAt);

    // 3. A person suppresses it with a note; then the exception changes (another rule decides X): it is
    // re-imported, and what the person set survives.
    const client = new SecurityHubClient({
      region: HOME,
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await client.send(
      new BatchUpdateFindingsCommand({
        FindingIdentifiers: [{ Id: xId, ProductArn: xFinding()?.ProductArn as string }],
        Workflow: { Status: 'SUPPRESSED' },
        Note: { Text: 'accepted until the scanner rollout', UpdatedBy: 'alice' },
      }),
    );
    client.destroy();
    storePolicy(policy({ rules: [{ name: 'production', accounts: [X], deepInspection: 'ACTIVATED' }] }));
    const third = await run();
    expect(third.findings).toMatchObject({ imported: 1 });
    expect(stored(HOME)).toEqual([
      expect.objectContaining({
        Id: xId,
        RecordState: 'ACTIVE',
        Workflow: { Status: 'SUPPRESSED' },
        Note: expect.objectContaining({ Text: 'accepted until the scanner rollout', UpdatedBy: 'alice' }),
        ProductFields: expect.objectContaining({ 'DeepInspectionReconciler/Rule': 'production' }),
      }),
    ]);

    // 4. It is fixed (EC2 scanning enabled, deep inspection still on): ARCHIVED, Compliance PASSED.
    scanning(X, HOME, 'ENABLED');
    const fixed = await run();
    expect(fixed.totals).toMatchObject({ failed: 0, skipped: 0, activated: 0 });
    expect(fixed.findings).toMatchObject({ archived: 1, imported: 0 });
    expect(xFinding()).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
  });

  it('a region that cannot be read, a run scoped by accounts or regions, and a plan leave the findings untouched', async () => {
    await run();
    expect(xFinding()).toMatchObject({ RecordState: 'ACTIVE' });
    // Fixed now: any run that judged X in HOME would archive its finding.
    scanning(X, HOME, 'ENABLED');
    const before = snapshot();

    // HOME's Inspector denies the run: the run fails for it, and its Security Hub is not even called.
    endpoint.faults.deniedRegions = [HOME];
    endpoint.resetCounters();
    await expect(run()).rejects.toThrow(/region eu-west-1 could not be read/);
    expect(SECURITY_HUB_OPERATIONS.map((operation) => endpoint.callCount(operation, HOME))).toEqual([0, 0, 0, 0]);
    endpoint.faults.deniedRegions = [];

    // Scoped to another account: X was not evaluated.
    const scoped = await run({ accountIds: [Z] });
    expect(scoped.findings).toMatchObject({ archived: 0, imported: 0 });

    // Scoped to the other region: HOME not called.
    endpoint.resetCounters();
    await run({ regions: [OTHER] });
    expect(endpoint.callCount('GetFindings', HOME)).toBe(0);

    // A plan: no Security Hub call at all.
    endpoint.resetCounters();
    const plan = await run({ dryRun: true });
    expect(securityHubCalls()).toBe(0);
    expect(plan.findings).toMatchObject({ dryRun: true, calls: 0 });

    expect(snapshot()).toBe(before);
    expect(xFinding()).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });
  });

  it('an account the policy wants on the VM scanner that reads FAILED is a finding, archived once a run reads it SUCCESS', async () => {
    // Every account evaluated as before; Y's VM scanner activation ended FAILED, and a rule wants it ACTIVATED.
    const Y = accountId(3);
    scanning(X, HOME, 'ENABLED');
    endpoint.simulation.pendingMs = 0;
    const state = organization.inspectorAccount(HOME, Y);
    if (state === undefined) throw new Error(`no Inspector state for ${Y}`);
    state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true, vmScannerFails: true };
    storePolicy(policy({ version: 3, rules: [{ name: 'vm scanner', accounts: [Y], vmScanner: 'ACTIVATED' }] }));
    // A daily schedule: a run without accountIds reads every managed account (its slice is the whole day).
    const daily = { ...env, SCHEDULE_PERIOD_SECONDS: '86400' };
    const yId = `deep-inspection-reconciler/${HOME}/account/${Y}/VM_SCANNER_FAILED`;

    const first = await run({}, daily);
    expect(first.findings).toMatchObject({ imported: 1, failed: 0 });
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      FindingProviderFields: expect.objectContaining({ Severity: { Label: 'HIGH', Original: 'HIGH' } }),
      ProductFields: expect.objectContaining({
        'DeepInspectionReconciler/Reason': 'VM_SCANNER_FAILED',
        'DeepInspectionReconciler/Desired': 'vmScanner ACTIVATED',
        'DeepInspectionReconciler/Rule': 'vm scanner',
      }),
    });
    // The run wrote the policy's value again, and Inspector applied it this time.
    expect(endpoint.callCount('UpdateConfiguration', HOME)).toBe(1);

    const second = await run({}, daily);
    expect(second.findings).toMatchObject({ archived: 1, imported: 0 });
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
    });
  });

  it('an account whose scan settings a policy change makes UNMANAGED, another staying managed: the next run archives its open finding without reading it', async () => {
    const Y = accountId(3);
    const W = accountId(4);
    scanning(X, HOME, 'ENABLED');
    endpoint.simulation.pendingMs = 0;
    const state = organization.inspectorAccount(HOME, Y);
    if (state === undefined) throw new Error(`no Inspector state for ${Y}`);
    state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true, vmScannerFails: true };
    storePolicy(policy({ version: 3, rules: [{ name: 'vm scanner', accounts: [Y, W], vmScanner: 'ACTIVATED' }] }));
    const daily = { ...env, SCHEDULE_PERIOD_SECONDS: '86400' };
    const yId = `deep-inspection-reconciler/${HOME}/account/${Y}/VM_SCANNER_FAILED`;
    await run({}, daily);
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({ RecordState: 'ACTIVE' });

    storePolicy(
      policy({
        version: 3,
        rules: [
          { name: 'hands off', accounts: [Y], vmScanner: 'UNMANAGED' },
          { name: 'vm scanner', accounts: [W], vmScanner: 'ACTIVATED' },
        ],
      }),
    );
    endpoint.resetCounters();
    const next = await run({}, daily);

    // The region's own read and W's: Y's configuration is not read any more.
    expect(endpoint.callCount('GetConfiguration', HOME)).toBe(2);
    expect(next.findings).toMatchObject({ archived: 1, imported: 0, failed: 0 });
    expect(endpoint.state.securityHub.finding(yId)).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
    });
  });

  it('the feature off makes zero Security Hub calls: the policy not asking, or the stack not granting (the summary says why)', async () => {
    storePolicy(policy({ findings: { securityHub: false } }));
    const policyOff = await run();
    expect(policyOff.findings).toBeUndefined();

    storePolicy(policy());
    const { SECURITY_HUB_FINDINGS: _granted, ...stackOff } = env;
    const notGranted = await run({}, stackOff);
    expect(notGranted.findings).toEqual({
      notGranted: expect.stringContaining('does not grant Security Hub permissions'),
    });

    expect(securityHubCalls()).toBe(0);
    expect(REGIONS.flatMap(stored)).toEqual([]);
    // The reconcile itself ran in full both times.
    expect([policyOff.totals.skipped, notGranted.totals.skipped]).toEqual([1, 1]);
  });

  describe('the Security Hub client’s code, evaluated only by a run whose findings step runs', () => {
    const SDK = '@aws-sdk/client-securityhub';
    /** A run with V8's coverage on: how much of the Security Hub client's code the process evaluated. */
    const runCovered = async (environment = env) => {
      const coverage = mkdtempSync(path.join(tmpdir(), 'coverage-'));
      const summary = await run({}, { ...environment, NODE_V8_COVERAGE: coverage });
      return { summary, sdk: evaluatedStrings(fn.bundle, coverage, SDK) };
    };

    it('the policy’s findings off, or the stack’s: none of it, though the bundle holds it', async () => {
      storePolicy(policy({ findings: { securityHub: false } }));
      const policyOff = await runCovered();
      storePolicy(policy());
      const { SECURITY_HUB_FINDINGS: _granted, ...stackOff } = env;
      const notGranted = await runCovered(stackOff);

      expect(policyOff.summary.totals.skipped).toBe(1);
      expect(policyOff.sdk.strings).toBeGreaterThan(1000);
      expect(policyOff.sdk.evaluated).toBe(0);
      expect(notGranted.summary.findings).toHaveProperty('notGranted');
      expect(notGranted.sdk.evaluated).toBe(0);
    });

    it('the findings on: the step loads it, and syncs', async () => {
      const { summary, sdk } = await runCovered();

      expect(summary.findings).toMatchObject({ imported: 1, failed: 0 });
      expect(sdk.evaluated).toBeGreaterThan(sdk.strings / 2);
    });
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import type { SavedPlan } from '../../cli/saved-plan/schema';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { FakeTerminal, runCli } from '../support/cli';

const REGIONS = ['us-east-1', 'eu-west-1'];
const policy = { version: 1, default: 'ACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 1000 } };
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: NodeJS.ProcessEnv;
let directory: string;
let policyFile: string;
let planFile: string;
const savedEnv = { ...process.env };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 40, regions: REGIONS, activated: 0.3, seed: 11 });
  endpoint = await LocalAwsEndpoint.start(organization);
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
  env = { ...process.env };
  delete env.npm_config_dry_run;
  delete env.npm_config_yes;
  delete env.npm_lifecycle_event;
  directory = mkdtempSync(path.join(tmpdir(), 'saved-plan-'));
  policyFile = path.join(directory, 'policy.json');
  planFile = path.join(directory, 'plan.json');
  writeFileSync(policyFile, JSON.stringify(policy));
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

const states = () =>
  new Map(REGIONS.map((region) => [region, organization.deepInspectionStates(region, { eventually: true })]));
const readPlan = () => JSON.parse(readFileSync(planFile, 'utf8')) as SavedPlan;
const plan = async () => {
  const planned = await runCli(['plan', '--policy-file', policyFile, '--out', planFile, '--quiet'], { env });
  expect(planned.status).toBe(EXIT.DONE);
  expect(endpoint.writeCount()).toBe(0);
  return readPlan();
};
/** Every account-region whose state differs between two snapshots. */
const differences = (before: ReturnType<typeof states>, after: ReturnType<typeof states>) =>
  REGIONS.flatMap((region) =>
    [...(after.get(region) ?? [])]
      .filter(([id, state]) => before.get(region)?.get(id) !== state)
      .map(([id, state]) => `${region} ${id} ${state}`),
  ).sort();

describe('plan --out, then apply FILE', () => {
  it('saves a versioned plan: policy hash and version, each change with its rule and state, the time, organization, partition', async () => {
    const saved = await plan();
    expect(saved).toMatchObject({
      planFormatVersion: 1,
      organizationId: organization.organizationId,
      partition: 'aws',
      homeRegion: 'us-east-1',
      policy: {
        source: { file: policyFile, tier: 'Standard' },
        version: 1,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      scope: { regions: REGIONS },
    });
    expect(Date.parse(saved.createdAt)).not.toBeNaN();
    expect(saved.changes.length).toBeGreaterThan(5);
    for (const change of saved.changes) {
      expect(change).toEqual({
        accountId: expect.stringMatching(/^\d{12}$/),
        region: expect.stringMatching(/^(us-east-1|eu-west-1)$/),
        rule: 'default',
        from: 'DEACTIVATED',
        to: 'ACTIVATED',
      });
    }
  });

  it('apply FILE --yes writes exactly the planned changes', async () => {
    const saved = await plan();
    const before = states();
    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });
    expect(stderr).not.toContain('Changed since the plan');
    expect(status).toBe(EXIT.DONE);
    expect(differences(before, states())).toEqual(
      saved.changes.map((change) => `${change.region} ${change.accountId} ${change.to}`).sort(),
    );
  });

  it('leaves alone, and reports, an account that changed in between; the others are written as planned', async () => {
    const saved = await plan();
    const [moved, ...rest] = saved.changes;
    if (moved === undefined) throw new Error('no change planned');
    // Someone activates one planned account, and deactivates one the plan left compliant, after the review.
    const movedState = organization.inspectorAccount(moved.region, moved.accountId);
    if (movedState) movedState.deepInspection = 'ACTIVATED';
    const planned = new Set(saved.changes.map((change) => `${change.region} ${change.accountId}`));
    const bystander = organization.accounts.find((account) => {
      const state = organization.inspectorAccount('us-east-1', account.id);
      return (
        account.state === 'ACTIVE' &&
        state?.member &&
        state.ec2ScanStatus === 'ENABLED' &&
        state.deepInspection === 'ACTIVATED' &&
        account.id !== moved.accountId &&
        !planned.has(`us-east-1 ${account.id}`)
      );
    });
    if (bystander === undefined) throw new Error('no compliant account to change behind the plan');
    const bystanderState = organization.inspectorAccount('us-east-1', bystander.id);
    if (bystanderState) bystanderState.deepInspection = 'DEACTIVATED';
    const before = states();

    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });

    expect(status).toBe(EXIT.FAILED);
    // Made by someone else as the plan would make it: nothing to write, and said, but not a change to plan again.
    expect(stderr).toContain(
      `Already as planned or under way (PENDING), nothing to write: 1 of the plan's ${saved.changes.length} changes (${moved.region} ${moved.accountId})`,
    );
    expect(stderr).toContain(
      `Changed since the plan, left alone: us-east-1 ${bystander.id}: planned no change; now it is DEACTIVATED, to go ACTIVATED by rule default: plan again to include it`,
    );
    expect(differences(before, states())).toEqual(
      rest.map((change) => `${change.region} ${change.accountId} ${change.to}`).sort(),
    );
    expect(before.get('us-east-1')?.get(bystander.id)).toBe('DEACTIVATED');
    expect(states().get('us-east-1')?.get(bystander.id)).toBe('DEACTIVATED');
  });

  it('asks as apply does, on a terminal; anything but "yes" writes nothing', async () => {
    await plan();
    const terminal = new FakeTerminal(() => 'Yes');
    const { status, stdout } = await runCli(['apply', planFile], { env, terminal });
    expect(status).toBe(EXIT.NOT_CONFIRMED);
    expect(stdout).toMatch(/^Would change \(\d+/m);
    expect(terminal.questions[0]).toContain('Only "yes" applies');
    expect(endpoint.writeCount()).toBe(0);
  });

  it.each<[string, (saved: SavedPlan) => SavedPlan, string]>([
    ['too old', (saved) => ({ ...saved, createdAt: '2020-01-01T00:00:00.000Z' }), 'more than 24 hours ago: plan again'],
    [
      'of another organization',
      (saved) => ({ ...saved, organizationId: 'o-anotherorg99' }),
      `planned in organization o-anotherorg99; these credentials are in ${'o-exampleorg1'}`,
    ],
    [
      'of another partition',
      (saved) => ({ ...saved, partition: 'aws-cn' }),
      'planned in the aws-cn partition; this runs in aws',
    ],
    [
      'edited',
      (saved) => ({
        ...saved,
        changes: [{ ...(saved.changes[0] as SavedPlan['changes'][number]), to: 'DEACTIVATED', extra: 1 } as never],
      }),
      'is not a saved plan: 1 problem',
    ],
  ])('refuses a plan %s, exit 2, writing nothing', async (_what, edit, message) => {
    writeFileSync(planFile, JSON.stringify(edit(await plan())));
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(stderr).toContain(message);
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('refuses a plan of another policy version, exit 2, writing nothing', async () => {
    await plan();
    writeFileSync(policyFile, JSON.stringify({ ...policy, default: 'UNMANAGED' }));
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain(`the policy (file ${policyFile}, sha256 `);
    expect(stderr).toContain('is not the one it was planned with sha256 ');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('reads a policy saved again with a byte order mark as the same policy', async () => {
    await plan();
    writeFileSync(policyFile, `\uFEFF${JSON.stringify(policy, null, 2)}`);
    const { status } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });
    expect(status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBeGreaterThan(0);
  });

  it('refuses options the plan fixes, before any AWS call', async () => {
    await plan();
    endpoint.resetCounters();
    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--regions', 'us-east-1'], { env });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain('--regions cannot be given with a saved plan: the plan fixes its policy and scope');
    expect(endpoint.calls.size).toBe(0);
  });

  it('refuses an edited policy hash, showing the two hashes that differ', async () => {
    const saved = await plan();
    writeFileSync(planFile, JSON.stringify({ ...saved, policy: { ...saved.policy, sha256: 'f'.repeat(64) } }));
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain(`sha256 ${saved.policy.sha256.slice(0, 12)}`);
    expect(stderr).toContain(`planned with sha256 ${'f'.repeat(12)}`);
    expect(stderr).not.toContain(`(file ${policyFile}) is not the one it was planned with (file ${policyFile})`);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('refuses a plan whose delegated administrator was edited, writing nothing', async () => {
    const saved = await plan();
    writeFileSync(planFile, JSON.stringify({ ...saved, delegatedAdministrator: '999999999999' }));
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain(
      `it was planned as account 999999999999; these credentials are account ${organization.delegatedAdminAccountId}`,
    );
    expect(endpoint.writeCount()).toBe(0);
  });

  it('refuses organization package paths edited in the plan: never writes other paths than the plan shows', async () => {
    writeFileSync(policyFile, JSON.stringify({ ...policy, version: 2, orgPackagePaths: ['/opt/app/lib'] }));
    const saved = await plan();
    const [paths] = saved.orgPackagePaths;
    if (paths === undefined) throw new Error('the plan replaces no package paths');
    writeFileSync(planFile, JSON.stringify({ ...saved, orgPackagePaths: [{ ...paths, to: ['/evil'] }] }));
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(stderr).toContain(
      `orgPackagePaths in ${paths.region}: the plan writes ["/evil"]; the policy says ["/opt/app/lib"]`,
    );
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('says of a change added by hand that the policy decides otherwise, and leaves the account alone', async () => {
    const saved = await plan();
    const planned = new Set(saved.changes.map((change) => `${change.region} ${change.accountId}`));
    const compliant = organization.accounts.find((account) => {
      const state = organization.inspectorAccount('us-east-1', account.id);
      return (
        account.state === 'ACTIVE' &&
        state?.member &&
        state.ec2ScanStatus === 'ENABLED' &&
        state.deepInspection === 'ACTIVATED' &&
        !planned.has(`us-east-1 ${account.id}`)
      );
    });
    if (compliant === undefined) throw new Error('no compliant account');
    const added = {
      accountId: compliant.id,
      region: 'us-east-1',
      rule: 'default',
      from: 'ACTIVATED',
      to: 'DEACTIVATED',
    };
    writeFileSync(planFile, JSON.stringify({ ...saved, changes: [...saved.changes, added] }));
    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });
    expect(stderr).toContain(
      `Changed since the plan, left alone: us-east-1 ${compliant.id}: planned ACTIVATED → DEACTIVATED by default; the policy keeps it ACTIVATED (rule default)`,
    );
    expect(stderr).not.toContain('now it is ACTIVATED already');
    expect(status).toBe(EXIT.FAILED);
    expect(states().get('us-east-1')?.get(compliant.id)).toBe('ACTIVATED');
  });

  it('applied a second time, says the plan is already in place, writes nothing, exit 0', async () => {
    const saved = await plan();
    expect((await runCli(['apply', planFile, '--yes', '--quiet'], { env })).status).toBe(EXIT.DONE);
    endpoint.resetCounters();
    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });
    expect(stderr).not.toContain('Changed since the plan');
    expect(stderr).toContain(
      `Already as planned or under way (PENDING), nothing to write: all ${saved.changes.length} of the plan's changes (was it applied already?)`,
    );
    expect(status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('with --force, reports the changes the guardrail held when planning as held, not as changed, and leaves them alone', async () => {
    writeFileSync(
      policyFile,
      JSON.stringify({ ...policy, default: 'DEACTIVATED', guardrails: { maxDeactivationsPerRun: 1 } }),
    );
    const planned = await runCli(['plan', '--policy-file', policyFile, '--out', planFile, '--quiet'], { env });
    expect(planned.status).toBe(EXIT.HELD_BY_GUARDRAIL);
    const saved = readPlan();
    expect(saved.held?.length).toBeGreaterThan(1);
    const before = states();
    const { status, stderr } = await runCli(['apply', planFile, '--yes', '--force', '--quiet'], { env });
    expect(stderr).not.toContain('Changed since the plan');
    expect(stderr).toContain(
      `Held back by the guardrail when planned, so not in the plan: ${saved.held?.length} changes to DEACTIVATED, left alone; to apply them, \`plan --force --out FILE\`, review it, and apply that plan`,
    );
    expect(status).toBe(EXIT.HELD_BY_GUARDRAIL);
    expect(differences(before, states())).toEqual(
      saved.changes.map((change) => `${change.region} ${change.accountId} ${change.to}`).sort(),
    );
  });

  it('says a relative policy path came from the plan, read from the directory apply runs in', async () => {
    const saved = await plan();
    writeFileSync(
      planFile,
      JSON.stringify({
        ...saved,
        policy: { ...saved.policy, source: { file: 'nowhere/policy.json', tier: 'Standard' } },
      }),
    );
    const { status, stderr } = await runCli(['apply', planFile, '--yes'], { env });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain(
      'the policy file the plan names, nowhere/policy.json, is read relative to the directory apply runs in',
    );
    expect(stderr).toContain('run apply in the directory plan ran in');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('the guardrail still applies to a saved plan', async () => {
    writeFileSync(
      policyFile,
      JSON.stringify({ ...policy, default: 'DEACTIVATED', guardrails: { maxDeactivationsPerRun: 1 } }),
    );
    const forced = await runCli(['plan', '--force', '--policy-file', policyFile, '--out', planFile, '--quiet'], {
      env,
    });
    expect(forced.status).toBe(EXIT.DONE);
    expect(readPlan().changes.length).toBeGreaterThan(1);
    const before = states();
    const { status } = await runCli(['apply', planFile, '--yes', '--quiet'], { env });
    expect(status).toBe(EXIT.HELD_BY_GUARDRAIL);
    // No more accounts deactivated than guardrails.maxDeactivationsPerRun allows without --force.
    const deactivated = new Set(differences(before, states()).map((line) => line.split(' ')[1]));
    expect(deactivated.size).toBeLessThanOrEqual(1);
  });
});

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { DEMO_POLICY_PARAMETER, DEMO_REGIONS, demoOrganization, seedDemoPolicy } from '../../local/demo-organization';
import type { SimulatedOrganization } from '../../local/simulated-organization';

/**
 * The command as a person runs it: a child process through the package's own shim (`npx
 * deep-inspection`, `npm run reconcile`), with no terminal (stdin is a pipe), against the simulated
 * endpoint. What it wrote is read from the endpoint's own state.
 */
const ROOT = path.join(__dirname, '../..');
const SHIM = path.join(ROOT, 'bin/deep-inspection.js');
const POLICY = ['--policy-parameter', DEMO_POLICY_PARAMETER];

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a shell pointed at `environment`, with none of this test run's npm settings. */
function shell(environment: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...environment };
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  delete env.AWS_PROFILE;
  return env;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const deepInspection = (args: readonly string[], env: NodeJS.ProcessEnv) => run(process.execPath, [SHIM, ...args], env);

describe('deep-inspection in a child process, with no terminal', () => {
  let endpoint: LocalAwsEndpoint;
  let organization: SimulatedOrganization;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    organization = demoOrganization(60);
    endpoint = await LocalAwsEndpoint.start(organization);
    seedDemoPolicy(endpoint);
    env = shell({ ...endpoint.environment(), AWS_REGION: DEMO_REGIONS[0] });
  });

  afterEach(async () => {
    await endpoint.close();
    if (endpoint.violations.length > 0) {
      throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
    }
  });

  const states = () =>
    new Map(DEMO_REGIONS.map((region) => [region, organization.deepInspectionStates(region, { eventually: true })]));

  it('`npm run reconcile --dry-run` (no `--` before it, no command) writes nothing', async () => {
    const before = states();
    const { status } = await run('npm', ['run', 'reconcile', '--dry-run', '--', ...POLICY], env);
    expect(status).toBe(0);
    expect(endpoint.callCount('BatchGetAccountStatus')).toBeGreaterThan(0);
    expect(endpoint.writeCount()).toBe(0);
    expect(states()).toEqual(before);
  });

  it('`npx deep-inspection` with no command plans, writes nothing, and says how to apply', async () => {
    const { status, stdout, stderr } = await run('npx', ['--offline', 'deep-inspection', ...POLICY], env);
    expect(status).toBe(0);
    expect(stdout).toMatch(/would activate/);
    expect(stderr).toContain('nothing written: use `deep-inspection apply` to apply it');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('`deep-inspection plan` writes nothing', async () => {
    const { status } = await deepInspection(['plan', ...POLICY], env);
    expect(status).toBe(0);
    expect(endpoint.callCount('BatchGetAccountStatus')).toBeGreaterThan(0);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('`deep-inspection apply` with no terminal and no --yes refuses, exit 3, without a call', async () => {
    const { status, stdout, stderr } = await deepInspection(['apply', ...POLICY], env);
    expect(status).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('apply: not confirmed, nothing written: there is no terminal to ask on.');
    expect(endpoint.calls.size).toBe(0);
  });

  it('`npm run reconcile --yes -- apply` refuses, and says --yes goes after `--`', async () => {
    const { status, stderr } = await run('npm', ['run', 'reconcile', '--yes', '--', 'apply', ...POLICY], env);
    expect(status).toBe(3);
    expect(stderr).toContain('give it to the command after `--`: npm run reconcile -- apply --yes');
    expect(endpoint.calls.size).toBe(0);
  });

  it('`npm run reconcile -- apply --yes` applies, and the next plan has nothing left to change', async () => {
    const queueUrl = endpoint.createQueue('failed-accounts');
    const applied = await run(
      'npm',
      [
        'run',
        'reconcile',
        '--',
        'apply',
        '--yes',
        ...POLICY,
        '--failed-accounts-queue-url',
        queueUrl,
        '--output',
        'json',
      ],
      env,
    );
    expect(applied.status).toBe(0);
    const result = JSON.parse(applied.stdout.slice(applied.stdout.indexOf('{')));
    expect(result.totals.activated + result.totals.deactivated).toBeGreaterThan(5);
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus')).toBeGreaterThan(0);

    endpoint.settleNow();
    const after = await deepInspection(['plan', ...POLICY, '--output', 'json'], env);
    expect(JSON.parse(after.stdout).totals).toMatchObject({ wouldActivate: 0, wouldDeactivate: 0 });
  });

  it('prints each distinct warning once at most (the SDK’s Node version notice included)', async () => {
    const unsuppressed = { ...env };
    delete unsuppressed.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const { status, stderr } = await deepInspection(['coverage', ...POLICY], unsuppressed);
    expect(status).toBe(0);
    const warnings = [...stderr.matchAll(/^\(node:\d+\) (.*)$/gm)].map(([, line]) => line);
    expect(warnings.length).toBe(new Set(warnings).size);
    expect(stderr.split('NodeVersionSupportWarning').length - 1).toBeLessThanOrEqual(1);
  });
});

describe('deep-inspection local', () => {
  /** Starts `local` and resolves once it has printed its export lines. */
  function startLocal(args: readonly string[]): Promise<{ child: ChildProcessWithoutNullStreams; script: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [SHIM, 'local', ...args], { cwd: ROOT, env: shell({}) });
      let script = '';
      child.stdout.on('data', (chunk: Buffer) => {
        script += chunk.toString();
        if (script.includes('# Then:')) resolve({ child, script });
      });
      child.on('error', reject);
      child.on('close', (status) => reject(new Error(`local stopped (${status}) before it printed its exports`)));
    });
  }

  it('serves the demo organization until SIGTERM, and its export lines point the command at it', async () => {
    const { child, script } = await startLocal(['--port', '0', '--account-count', '50']);
    const closed = new Promise<{ status: number | null; stderr: string }>((resolve) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
    const exported = Object.fromEntries(
      [...script.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value] as [string, string]),
    );
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining(['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']),
    );
    expect(script).toMatch(/^unset AWS_PROFILE$/m);
    const env = shell(exported);

    const plan = await deepInspection(['plan', ...POLICY], env);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/^total\s+100\s/m); // 50 accounts in each of the demo's two regions
    const apply = await deepInspection(
      ['apply', '--yes', ...POLICY, '--failed-accounts-queue-url', exported.FAILED_ACCOUNTS_QUEUE_URL ?? ''],
      env,
    );
    expect(apply.status).toBe(0);
    expect(apply.stdout).toMatch(/^Changed \(\d+/m);

    child.kill('SIGTERM');
    const { status, stderr } = await closed;
    expect(status).toBe(0);
    expect(stderr).toContain('SIGTERM: the endpoint is closed.');
    await expect(fetch(exported.AWS_ENDPOINT_URL ?? '')).rejects.toThrow();
  });

  it('with --not-administrator-in eu-west-1, plan fails that region saying what to do and plans the other', async () => {
    const { child, script } = await startLocal([
      '--port',
      '0',
      '--account-count',
      '60',
      '--not-administrator-in',
      'eu-west-1',
    ]);
    try {
      const exported = Object.fromEntries(
        [...script.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value] as [string, string]),
      );
      expect(script).toContain("# This account is not Inspector's delegated administrator in eu-west-1");

      const planned = await deepInspection(['plan', ...POLICY, '--output', 'json'], shell(exported));

      expect(planned.status).toBe(1);
      expect(planned.stderr).toContain(
        "this account is not Inspector's delegated administrator in eu-west-1: designate it, or remove the region from the policy",
      );
      const plan = JSON.parse(planned.stdout) as {
        regions: {
          region: string;
          skipped?: Record<string, number>;
          error?: string;
          notDelegatedAdministrator?: boolean;
          totals: { compliant: number };
        }[];
      };
      const byRegion = new Map(plan.regions.map((region) => [region.region, region]));
      expect(byRegion.get('eu-west-1')).toMatchObject({ notDelegatedAdministrator: true, errorVerdict: 'PERMANENT' });
      expect(byRegion.get('eu-west-1')?.skipped?.NOT_INSPECTOR_MEMBER ?? 0).toBe(0);
      expect(byRegion.get('us-east-1')?.error).toBeUndefined();
      expect(byRegion.get('us-east-1')?.totals.compliant).toBeGreaterThan(0);
    } finally {
      const closed = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('with --administrator-reads-effective-policies, explain and plan say which accounts the Inspector policy disabled', async () => {
    // The same organization the child serves: the demo's, built from the same seed.
    const demo = demoOrganization(100);
    const [, policyRegion] = DEMO_REGIONS;
    const disabled = demo.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        demo.inspectorPolicies.get(a.id)?.disableInRegions?.includes(policyRegion) === true &&
        demo.inspectorAccount(policyRegion, a.id)?.member === true,
    );
    if (disabled === undefined) throw new Error('the demo organization has no account an Inspector policy disables');
    const { child, script } = await startLocal([
      '--port',
      '0',
      '--account-count',
      '100',
      '--administrator-reads-effective-policies',
    ]);
    try {
      const exported = Object.fromEntries(
        [...script.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value] as [string, string]),
      );
      const env = shell(exported);
      expect(script).toContain('# The delegated administrator may read effective policies');

      const explained = await deepInspection(['explain', disabled.id, ...POLICY], env);
      const planned = await deepInspection(['plan', ...POLICY], env);

      expect(explained.status).toBe(0);
      expect(explained.stdout).toContain(
        `${policyRegion}: Inspector says DISABLED; a run would skip it: EC2_SCANNING_NOT_ENABLED: disabled by the organization's Inspector policy`,
      );
      expect(planned.status).toBe(0);
      expect(planned.stdout).not.toContain('could not tell');
      expect(planned.stdout).toMatch(/^Disabled by the organization's Inspector policy \(\d+\):$/m);
      expect(planned.stdout).toContain(`  ${policyRegion}  ${disabled.id}`);
    } finally {
      const closed = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      await closed;
    }
  });

  it('refuses a port in use with exit 2, naming the option', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { status, stderr } = await deepInspection(['local', '--port', String(port)], shell({}));
      expect(status).toBe(2);
      expect(stderr).toContain(`--port ${port}: listen EADDRINUSE`);
      expect(stderr).toContain('--port 0 for any free one');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

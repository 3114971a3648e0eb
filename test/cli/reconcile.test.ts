import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT_CODE_TABLE } from '../../cli/exit-codes';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { runCli } from '../support/cli';

const REGIONS = ['us-east-1', 'eu-west-1'];
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
const savedEnv = { ...process.env };

/** No terminal, no npm flags: what a script or CI job runs the command with. */
const cli = (...argv: string[]) => runCli(argv);

function policyFile(document: object): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-')), 'policy.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

const policy = { version: 1, default: 'ACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 1000 } };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 60, regions: REGIONS, activated: 0.3, seed: 3 });
  endpoint = await LocalAwsEndpoint.start(organization);
  // The SDK reads endpoint and credentials from the environment, as it would on a laptop.
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
  delete process.env.npm_config_dry_run;
  delete process.env.npm_config_yes;
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
});

describe('deep-inspection', () => {
  it('documents every command, the exit statuses and examples in --help', async () => {
    const { status, stdout } = await cli('--help');
    expect(status).toBe(0);
    for (const command of ['plan', 'apply', 'explain [options] <account-id>', 'lint', 'coverage', 'local']) {
      expect(stdout).toContain(command);
    }
    for (const { code, meaning } of EXIT_CODE_TABLE) expect(stdout).toContain(`${code}  ${meaning}`);
    expect(stdout).toContain('npm run reconcile -- apply --yes');
  });

  it.each([
    [
      'plan',
      [
        '--policy-file',
        '--policy-parameter',
        '--regions',
        '--accounts',
        '--force',
        '--out',
        '--profile',
        '--policy-parameter-tier',
        '--region',
        '--account-id',
        '--output',
        '--quiet',
        '--dry-run',
      ],
    ],
    ['apply', ['[plan-file]', '--yes', '--strict', '--force', '--failed-accounts-queue-url', '--dry-run', '--profile']],
    ['explain', ['<account-id>', '--regions', '--policy-file']],
    ['lint', ['--strict', '--policy-parameter']],
    ['coverage', ['--output', 'csv', '--regions', '--accounts']],
    ['local', ['--account-count', '--port', '--administrator-reads-effective-policies', '--not-administrator-in']],
  ])('documents the options of %s in its --help, with the exit statuses', async (command, options) => {
    const { status, stdout } = await cli(command, '--help');
    expect(status).toBe(0);
    for (const option of options) expect(stdout).toContain(option);
    expect(stdout).toContain('Exit status:');
  });

  it('plan --help lists no option only apply takes', async () => {
    const { stdout } = await cli('plan', '--help');
    const options = stdout.slice(stdout.indexOf('Options:'), stdout.indexOf('Exit status:'));
    expect(options).toContain('--out <file>');
    for (const option of ['--failed-accounts-queue-url', '--yes', '--strict']) expect(options).not.toContain(option);
  });

  it('--version prints the package version', async () => {
    const { status, stdout } = await cli('--version');
    expect(status).toBe(0);
    expect(stdout).toBe(`${JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version}\n`);
  });

  it.each([
    [['plan', '--bogus'], "unknown option '--bogus'"],
    [['aply', '--yes'], "unknown command 'aply'\n(Did you mean apply?)"],
    [['APPLY'], "unknown command 'APPLY'\n(Did you mean apply?)"],
    [
      ['plan', '--regions', 'US-EAST-1'],
      '"US-EAST-1" is not an AWS region name: region names are lower case (did you mean us-east-1?)',
    ],
    [
      ['plan', '--accounts', ''],
      `option '--accounts <list>' argument '' is invalid. "" names none: give at least one 12-digit account id (several separated by commas), or leave the option out`,
    ],
    [['--dryrun'], "unknown option '--dryrun'\n(Did you mean --dry-run?)"],
    [['aply'], "unknown command 'aply'\n(Did you mean apply?)"],
    [['--quiet', 'apply'], 'the command goes first: deep-inspection apply [options]'],
    [
      ['plan', '--output', 'xml'],
      "option '--output <format>' argument 'xml' is invalid. Allowed choices are table, json.",
    ],
    [
      ['plan', '--accounts', '123'],
      "option '--accounts <list>' argument '123' is invalid. \"123\" is not a 12-digit account id",
    ],
    [
      ['plan', '--regions', 'moon-1'],
      "option '--regions <list>' argument 'moon-1' is invalid. \"moon-1\" is not an AWS region name",
    ],
    [
      ['plan', '--account-id', 'abc'],
      "option '--account-id <id>' argument 'abc' is invalid. \"abc\" is not a 12-digit account id",
    ],
    [
      ['plan', '--policy-file', 'a.json', '--policy-parameter', '/p'],
      "option '--policy-file <path>' cannot be used with option '--policy-parameter <name>'",
    ],
  ])('rejects %j with a clear message and exit status 2, before any AWS call', async (argv, message) => {
    const { status, stderr } = await cli(...argv);
    expect(status).toBe(2);
    expect(stderr).toContain(message);
    expect(endpoint.calls.size).toBe(0);
  });

  it('plan prints a table per region, with the would-change counts named as such, and writes nothing', async () => {
    const { status, stdout } = await cli('plan', '--policy-file', policyFile(policy));
    expect(status).toBe(0);
    expect(stdout).toMatch(/region\s+accounts\s+compliant\s+would activate\s+would deactivate/);
    expect(stdout).toMatch(/^us-east-1\s+60\s/m);
    expect(stdout).toMatch(/^eu-west-1\s+60\s/m);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('apply --yes applies and prints the result as JSON, its counts named for what was written', async () => {
    const { status, stdout } = await cli(
      'apply',
      '--yes',
      '--policy-file',
      policyFile(policy),
      '--output',
      'json',
      '--regions',
      'eu-west-1',
    );
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ schemaVersion: 1, command: 'apply', written: true });
    expect(result.regions.map((r: { region: string }) => r.region)).toEqual(['eu-west-1']);
    expect(result.totals.activated).toBeGreaterThan(10);
    expect(result.totals).not.toHaveProperty('wouldActivate');
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'eu-west-1')).toBe(1);
    expect(endpoint.callCount('BatchUpdateMemberEc2DeepInspectionStatus', 'us-east-1')).toBe(0);
  });

  it('says which limit held deactivations back, that --force applies them, and exits 4', async () => {
    const unit = [...organization.units.keys()][0] as string;
    const mixed = {
      version: 2,
      default: 'ACTIVATED',
      regions: REGIONS,
      rules: [{ name: 'off', organizationalUnits: [unit], deepInspection: 'DEACTIVATED' }],
      guardrails: { maxDeactivationsPerRun: 1 },
    };
    const { status, stdout } = await cli('apply', '--yes', '--policy-file', policyFile(mixed));
    expect(status).toBe(4);
    expect(stdout).toMatch(
      /Guardrail tripped: \d+ deactivations held back: would deactivate \d+ accounts, more than guardrails\.maxDeactivationsPerRun \(1\) leaves this run \(1\); apply with --force to write them\./,
    );
    // The activations went ahead; not one deactivation was written.
    expect(stdout).toMatch(/^Changed \(\d+/m);
    expect(stdout).not.toMatch(/ACTIVATED → DEACTIVATED$/m);
    const written = JSON.parse((await cli('plan', '--policy-file', policyFile(mixed), '--output', 'json')).stdout);
    expect(written.totals.wouldActivate).toBe(0);
    expect(written.totals.wouldDeactivate).toBe(0);
    expect(written.guardrail.tripped).toBe(true);
  });

  it('apply with only held deactivations writes nothing, says so, and exits 4', async () => {
    const off = { version: 2, default: 'DEACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 2 } };
    const { status, stdout, stderr } = await cli('apply', '--yes', '--policy-file', policyFile(off));
    expect(status).toBe(4);
    expect(stdout).toMatch(/Guardrail: apply would hold \d+ deactivations back: .*; apply --force would write them\./);
    expect(stderr).toContain('Nothing to apply: nothing written.');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('plan says the guardrail would hold deactivations back, and exits 4', async () => {
    const off = { version: 2, default: 'DEACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 2 } };
    const { status, stdout } = await cli('plan', '--policy-file', policyFile(off));
    expect(status).toBe(4);
    expect(stdout).toMatch(/Guardrail: apply would hold \d+ deactivations back: .*; apply --force would write them\./);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('coverage prints a table per region with the reasons and their fixes, and writes nothing', async () => {
    const { status, stdout } = await cli('coverage', '--policy-file', policyFile(policy));
    expect(status).toBe(0);
    expect(stdout).toMatch(/region\s+instances\s+deep-inspected\s+to fix\s+expected\s+effective/);
    expect(stdout).toMatch(/^us-east-1\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\.\d%$/m);
    expect(stdout).toContain('UNMANAGED_EC2_INSTANCE');
    expect(stdout).toContain('make SSM manage the instance');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('coverage groups the instances by scanner (SSM plugin, VM scanner, agentless) and says what a move to the VM scanner changes', async () => {
    // The VM scanner scans only where it is activated: by the administrator here, which its members inherit.
    for (const region of REGIONS) {
      const admin = organization.inspectorAccount(region, organization.delegatedAdminAccountId);
      if (!admin) throw new Error(`no administrator in ${region}`);
      admin.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
    }
    const table = await cli('coverage', '--policy-file', policyFile(policy));
    const json = await cli('coverage', '--policy-file', policyFile(policy), '--output', 'json');
    const csv = await cli('coverage', '--policy-file', policyFile(policy), '--output', 'csv');

    const regions = JSON.parse(json.stdout).regions as {
      region: string;
      totals: { instances: number };
      byScanner: Record<string, number>;
    }[];
    for (const region of regions) {
      const { ssmPlugin, vmScanner, agentless, notReported } = region.byScanner;
      expect((ssmPlugin ?? 0) + (vmScanner ?? 0) + (agentless ?? 0) + (notReported ?? 0)).toBe(region.totals.instances);
      expect(vmScanner).toBeGreaterThan(0);
      expect(agentless).toBeGreaterThan(0);
      expect(table.stdout).toContain(
        `  ${region.region} by scanner: SSM plugin ${ssmPlugin}, VM scanner ${vmScanner}, agentless ${agentless}`,
      );
    }
    expect(table.stdout).toContain('VM_SCANNER');
    expect(table.stdout).toMatch(
      /Moving to the VM scanner .*\(orgPackagePaths, packagePaths\).*inspector-vm-scanner-advanced-config/,
    );
    expect(csv.stdout.split('\n')[0]?.split(',').slice(6, 9)).toEqual(['ssmPlugin', 'vmScanner', 'agentless']);
  });

  it('coverage --output csv gives one row an account and region, a column a reason, adding up to the summary', async () => {
    const csv = await cli('coverage', '--policy-file', policyFile(policy), '--output', 'csv');
    const json = await cli('coverage', '--policy-file', policyFile(policy), '--output', 'json');
    expect(csv.status).toBe(0);
    const [header = '', ...rows] = csv.stdout.trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(0, 6)).toEqual([
      'region',
      'accountId',
      'deepInspectionActivated',
      'instances',
      'deepInspected',
      'toFix',
    ]);
    // The reasons come after the scanner columns.
    expect(columns.slice(6, 10)).toEqual(['ssmPlugin', 'vmScanner', 'agentless', 'scannerNotReported']);
    const active = organization.accounts.filter((a) => a.state === 'ACTIVE').length;
    expect(rows).toHaveLength(active * REGIONS.length);
    const summary = JSON.parse(json.stdout);
    for (const region of REGIONS) {
      const cells = rows.map((row) => row.split(',')).filter((cells) => cells[0] === region);
      const sum = (column: string) => cells.reduce((total, row) => total + Number(row[columns.indexOf(column)]), 0);
      const totals = summary.regions.find((r: { region: string }) => r.region === region).totals;
      expect([sum('instances'), sum('deepInspected'), sum('toFix')]).toEqual([
        totals.instances,
        totals.deepInspected,
        totals.fixable,
      ]);
    }
  });

  it('refuses --output csv outside coverage, and --dry-run and --force with it: coverage only reads', async () => {
    expect((await cli('plan', '--output', 'csv')).stderr).toContain('Allowed choices are table, json.');
    expect((await cli('coverage', '--dry-run')).stderr).toContain("unknown option '--dry-run'");
    expect((await cli('coverage', '--force')).stderr).toContain("unknown option '--force'");
    expect(endpoint.calls.size).toBe(0);
  });

  it('reads the policy from an SSM parameter', async () => {
    endpoint.state.parameters.set('/team/policy', { value: JSON.stringify(policy), version: 1 });
    const { status } = await cli('plan', '--policy-parameter', '/team/policy');
    expect(status).toBe(0);
    expect(endpoint.callCount('GetParameter')).toBe(1);
  });

  it('an invalid policy file exits 2 naming the file and the problem, and touches nothing', async () => {
    const file = policyFile({ ...policy, default: 'ON' });
    const { status, stderr } = await cli('apply', '--yes', '--policy-file', file);
    expect(status).toBe(2);
    expect(stderr).toContain(`Invalid policy (${file})`);
    expect(stderr).toContain('$.default (line 1, column 24): "ON" is not one of');
    // Not even the caller's identity is asked for: the file is checked before any AWS call.
    expect([...endpoint.calls.keys()]).toEqual([]);
  });

  it('warns of rules naming accounts and OUs the organization does not have, and shows each region’s administrator EC2 scan configuration, correctly named', async () => {
    const admin = organization.inspectorAccount('eu-west-1', organization.delegatedAdminAccountId);
    if (admin === undefined) throw new Error('no administrator in eu-west-1');
    admin.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
    const withTypos = {
      ...policy,
      rules: [
        { name: 'pinned', accounts: ['999999999999'], deepInspection: 'ACTIVATED' },
        { name: 'sandbox', organizationalUnits: ['ou-ex12-99999999'], deepInspection: 'DEACTIVATED' },
      ],
    };
    const { status, stdout } = await cli('plan', '--policy-file', policyFile(withTypos));
    expect(status).toBe(0);
    expect(stdout).toContain('Policy warnings (2):');
    expect(stdout).toContain('$.rules[0].accounts[0]: account 999999999999 is not in the organization');
    expect(stdout).toContain(
      '$.rules[1].organizationalUnits[0]: no account of the organization is under ou-ex12-99999999',
    );
    expect(stdout).toContain(
      // Nothing set in us-east-1: a new account's hybrid scanning, the VM scanner not activated.
      'us-east-1 administrator EC2 scan configuration: scan mode EC2_HYBRID (hybrid scanning); Inspector VM scanner (Enhanced EC2 Scanning) not activated',
    );
    expect(stdout).toContain(
      'eu-west-1 administrator EC2 scan configuration: scan mode EC2_HYBRID (hybrid scanning); Inspector VM scanner (Enhanced EC2 Scanning) activated',
    );
    // EC2_HYBRID is hybrid scanning (agent-based plus agentless); Enhanced EC2 Scanning is the VM scanner.
    expect(stdout).not.toMatch(/EC2_HYBRID \(Enhanced EC2 Scanning\)/);
  });

  it("explain shows the account's own EC2 scan mode and VM scanner state in each region: one GetConfiguration with its accountId a region", async () => {
    const member = organization.accounts.find(
      (a) => a.state === 'ACTIVE' && a.id !== organization.delegatedAdminAccountId,
    );
    const state = member && organization.inspectorAccount('eu-west-1', member.id);
    if (!member || !state) throw new Error('no member');
    state.member = true;
    state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: true };
    // In us-east-1 it inherits the administrator's: the SSM plugin alone.
    const admin = organization.inspectorAccount('us-east-1', organization.delegatedAdminAccountId);
    if (!admin) throw new Error('no administrator in us-east-1');
    admin.ec2Configuration = { scanMode: 'EC2_SSM_AGENT_BASED', vmScannerActivated: false };

    const { status, stdout } = await cli('explain', member.id, '--policy-file', policyFile(policy));

    expect(status).toBe(0);
    expect(stdout).toContain(
      '    EC2 scan configuration: scan mode EC2_HYBRID (hybrid scanning); Inspector VM scanner (Enhanced EC2 Scanning) activated',
    );
    expect(stdout).toContain(
      '    EC2 scan configuration: scan mode EC2_SSM_AGENT_BASED; Inspector VM scanner (Enhanced EC2 Scanning) not activated',
    );
    // The run's own read of the administrator's configuration in each region, and one with the accountId a region.
    expect(endpoint.callCount('GetConfiguration')).toBe(2 * REGIONS.length);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('explain shows, for a version 3 policy, each scan setting with the rule that decided it beside the values read in each region', async () => {
    const member = organization.accounts.find(
      (a) => a.state === 'ACTIVE' && a.id !== organization.delegatedAdminAccountId,
    );
    const state = member && organization.inspectorAccount('eu-west-1', member.id);
    if (!member || !state) throw new Error('no member');
    state.member = true;
    state.ec2Configuration = { scanMode: 'EC2_HYBRID', vmScannerActivated: false };
    const v3 = {
      version: 3,
      default: 'ACTIVATED',
      regions: REGIONS,
      scanConfiguration: { scanMode: 'EC2_HYBRID', vmScanner: 'DEACTIVATED' },
      rules: [{ name: 'pilots', accounts: [member.id], vmScanner: 'ACTIVATED', enforcement: 'report' }],
    };

    const { status, stdout } = await cli('explain', member.id, '--policy-file', policyFile(v3));

    expect(status).toBe(0);
    expect(stdout).toContain('$.rules[0] "pilots": matches: names the account: vmScanner ACTIVATED, report-only');
    expect(stdout).toContain('Decision: deep inspection ACTIVATED, by the default');
    expect(stdout).toContain('  scan mode EC2_HYBRID, by the default (scanConfiguration)');
    expect(stdout).toContain(
      '  VM scanner (Enhanced EC2 Scanning) ACTIVATED (report-only: never written), by rule "pilots"',
    );
    expect(stdout).toContain(
      '    against the policy: scan mode EC2_HYBRID, as the policy wants (the default); VM scanner DEACTIVATED, the policy wants ACTIVATED (rule "pilots")',
    );
    expect(endpoint.writeCount()).toBe(0);
  });

  it("explain and the run say when the organization's Inspector policy disabled EC2 scanning, once the endpoint lets the administrator read effective policies", async () => {
    const member = organization.accounts.find(
      (a) => a.state === 'ACTIVE' && a.id !== organization.delegatedAdminAccountId,
    );
    if (!member) throw new Error('no member');
    for (const region of REGIONS) {
      const state = organization.inspectorAccount(region, member.id);
      if (!state) throw new Error('no state');
      Object.assign(state, { member: true, ec2ScanStatus: 'DISABLED' });
    }
    organization.inspectorPolicies.set(member.id, { disableInRegions: ['eu-west-1'], enableInRegions: ['us-east-1'] });
    endpoint.simulation.administratorReadsEffectivePolicies = true;

    const explained = await cli('explain', member.id, '--policy-file', policyFile(policy));
    const planned = await cli('plan', '--policy-file', policyFile(policy), '--accounts', member.id, '--output', 'json');

    expect(explained.stdout).toMatch(
      /eu-west-1: Inspector says DISABLED; a run would skip it: EC2_SCANNING_NOT_ENABLED: disabled by the organization's Inspector policy \(disable_in_regions: eu-west-1; enable_in_regions: us-east-1\)/,
    );
    expect(explained.stdout).toMatch(
      /us-east-1: Inspector says DISABLED; a run would skip it: EC2_SCANNING_NOT_ENABLED: the organization's Inspector policy does not disable it here/,
    );
    const summary = JSON.parse(planned.stdout) as { ec2ScanningOff?: unknown };
    expect(summary.ec2ScanningOff).toEqual({
      asked: 1,
      disabledByPolicy: 1,
      disabledByPolicyIn: [{ region: 'eu-west-1', accountId: member.id }],
      notDisabledByPolicy: 1,
      noPolicy: 0,
      notAsked: 0,
    });
    // One DescribeEffectivePolicy an account a run, whatever its regions.
    expect(endpoint.callCount('DescribeEffectivePolicy')).toBe(2);
  });

  it("plan names the accounts the organization's Inspector policy disabled: the first 10 and how many, the JSON all of them", async () => {
    const disabled = organization.accounts
      .filter((a) => a.state === 'ACTIVE' && a.id !== organization.delegatedAdminAccountId)
      .slice(0, 12);
    for (const account of disabled) {
      const state = organization.inspectorAccount('us-east-1', account.id);
      if (state) Object.assign(state, { member: true, ec2ScanStatus: 'DISABLED' });
      organization.inspectorPolicies.set(account.id, { disableInRegions: ['us-east-1'] });
    }
    endpoint.simulation.administratorReadsEffectivePolicies = true;

    const table = await cli('plan', '--policy-file', policyFile(policy));
    const json = await cli('plan', '--policy-file', policyFile(policy), '--output', 'json');

    expect(table.status).toBe(0);
    expect(table.stdout).toContain(
      "Disabled by the organization's Inspector policy (12; the first 10 here, 2 more: --output json lists them all):",
    );
    const listed = [...table.stdout.matchAll(/^ {2}us-east-1 {2}(\d{12})$/gm)].map(([, id]) => id);
    expect(listed).toEqual(
      disabled
        .map((a) => a.id)
        .sort()
        .slice(0, 10),
    );
    const summary = JSON.parse(json.stdout) as { ec2ScanningOff?: { disabledByPolicyIn?: unknown } };
    expect(summary.ec2ScanningOff?.disabledByPolicyIn).toEqual(
      disabled
        .map((a) => a.id)
        .sort()
        .map((accountId) => ({ region: 'us-east-1', accountId })),
    );
  });

  it('with the endpoint denying effective policies (its default), the run says could not tell once and asks once', async () => {
    const off = organization.accounts
      .filter((a) => a.state === 'ACTIVE' && a.id !== organization.delegatedAdminAccountId)
      .slice(0, 5);
    for (const account of off) {
      const state = organization.inspectorAccount('us-east-1', account.id);
      if (state) Object.assign(state, { member: true, ec2ScanStatus: 'DISABLED' });
    }

    const { status, stdout } = await cli('plan', '--policy-file', policyFile(policy));

    expect(status).toBe(0);
    expect(stdout.match(/could not tell/g)).toHaveLength(1);
    expect(stdout).toMatch(
      /EC2 scanning off: could not tell whether the organization's Inspector policy turned EC2 scanning off \(\d+ accounts\): DescribeEffectivePolicy answered AccessDeniedException/,
    );
    expect(endpoint.callCount('DescribeEffectivePolicy')).toBe(1);
  });

  it('explain prints the account’s OU path, each rule and why, the decision, and each region; it writes nothing', async () => {
    const unit = [...organization.units.keys()][0] as string;
    const member = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        a.id !== organization.delegatedAdminAccountId &&
        organization.ancestorsOf(a.id).includes(unit),
    );
    if (!member) throw new Error('no account under the first OU');
    const explained = {
      version: 2,
      default: 'ACTIVATED',
      regions: REGIONS,
      rules: [
        { name: 'expired exception', accounts: [member.id], deepInspection: 'UNMANAGED', expires: '2020-01-01' },
        { name: 'trial', organizationalUnits: [unit], deepInspection: 'DEACTIVATED', enforcement: 'report' },
        { name: 'later', accounts: [member.id], deepInspection: 'ACTIVATED' },
      ],
    };

    const { status, stdout } = await cli('explain', member.id, '--policy-file', policyFile(explained));

    expect(status).toBe(0);
    expect(stdout).toContain(`Account ${member.id} (ACTIVE)`);
    expect(stdout).toContain(`OU path: ${organization.ancestorsOf(member.id).join(' / ')}`);
    expect(stdout).toContain('$.rules[0] "expired exception": expired: expired on 2020-01-01');
    expect(stdout).toContain(`$.rules[1] "trial": matches: the account is under ${unit}: DEACTIVATED, report-only`);
    expect(stdout).toContain('$.rules[2] "later": not reached');
    expect(stdout).toContain('Decision: DEACTIVATED (report-only: never written), by rule "trial"');
    expect(stdout).toMatch(/us-east-1: Inspector says (ACTIVATED|DEACTIVATED|n\/a); a run would/);
    expect(stdout).toMatch(/eu-west-1: Inspector says/);
    expect(endpoint.writeCount()).toBe(0);
    // One account's story costs that account and its OU depth, not the organization: no listing, no walk.
    expect(endpoint.callCount('ListAccounts')).toBe(0);
    expect(endpoint.callCount('ListAccountsForParent')).toBe(0);
    expect(endpoint.callCount('DescribeAccount')).toBe(1);
    expect(endpoint.callCount('ListParents')).toBe(organization.ancestorsOf(member.id).length);
  });

  it('lint lists what will not do what it says, with JSON paths; --strict exits 1 on any warning', async () => {
    const linted = {
      version: 2,
      default: 'ACTIVATED',
      regions: REGIONS,
      rules: [
        { name: 'everything', organizationalUnits: [organization.rootId], deepInspection: 'ACTIVATED' },
        { name: 'shadowed', accounts: [organization.accounts[1]?.id], deepInspection: 'DEACTIVATED' },
        { name: 'typo', accounts: ['999999999999'], deepInspection: 'DEACTIVATED', expires: '2020-01-01' },
      ],
    };
    const file = policyFile(linted);

    const lenient = await cli('lint', '--policy-file', file);
    const strict = await cli('lint', '--strict', '--policy-file', file);

    expect(lenient.status).toBe(0);
    expect(strict.status).toBe(1);
    expect(lenient.stdout).toContain('Policy lint: 3 warnings');
    expect(lenient.stdout).toContain('$.rules[1]: "shadowed" can never match: $.rules[0] above it');
    expect(lenient.stdout).toContain('$.rules[2].expires: expired on 2020-01-01');
    expect(lenient.stdout).toContain('$.rules[2].accounts[0]: account 999999999999 is not in the organization');
    expect(endpoint.writeCount()).toBe(0);
    expect(endpoint.callCount('BatchGetAccountStatus')).toBe(0);
  });

  it('lint on a clean policy says so and exits 0 even with --strict', async () => {
    const { status, stdout } = await cli('lint', '--strict', '--policy-file', policyFile(policy));
    expect(status).toBe(0);
    expect(stdout).toContain('Policy lint: no warnings.');
  });

  it.each<[string[], string]>([
    [['explain'], "missing required argument 'account-id'"],
    [['explain', '123'], '"123" is not a 12-digit account id'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['plan', '--strict'], "unknown option '--strict'"],
    [['plan', 'extra'], "plan takes no arguments, got 'extra'"],
    [['local', '--port', '70000'], '--port: a whole number from 0 to 65535'],
    [
      ['local', '--not-administrator-in', 'ap-south-1'],
      '--not-administrator-in: "ap-south-1" is not a region of the simulated organization (us-east-1, eu-west-1)',
    ],
    [['apply', '--failed-accounts-queue-url', ''], '"" is not a queue URL'],
  ])('refuses %j before any AWS call', async (argv, message) => {
    const { status, stderr } = await cli(...argv);
    expect(status).toBe(2);
    expect(stderr).toContain(message);
    expect([...endpoint.calls.keys()]).toEqual([]);
  });

  it('says a region outside the policy in the command’s terms (--regions), and what the policy runs in when it names none', async () => {
    const named = await cli('plan', '--regions', 'us-west-2', '--policy-file', policyFile(policy), '--quiet');
    const unnamed = await cli(
      'plan',
      '--regions',
      'eu-west-1',
      '--region',
      'us-east-1',
      '--quiet',
      '--policy-file',
      policyFile({ version: 2, default: 'ACTIVATED' }),
    );

    expect(named.status).toBe(2);
    expect(named.stderr).toContain("--regions: us-west-2 is not one of the policy's regions (us-east-1, eu-west-1)");
    expect(named.stderr).not.toContain('invocation event');
    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toContain('the policy names no regions, so it runs in its home region us-east-1 alone');
  });

  it('exits 1 and says why when a region cannot be read', async () => {
    endpoint.faults.deniedRegions = ['eu-west-1'];
    const { status, stderr } = await cli('plan', '--policy-file', policyFile(policy));
    expect(status).toBe(1);
    expect(stderr).toContain('region eu-west-1 could not be read: AccessDeniedException');
  });

  it('exits 75 (EX_TEMPFAIL) and says "transient" when the policy read is throttled past the SDK’s retries', async () => {
    endpoint.state.parameters.set('/p', { value: JSON.stringify(policy), version: 1 });
    endpoint.faults.errors = { GetParameter: 'ThrottlingException' };
    process.env.AWS_MAX_ATTEMPTS = '2';

    const { status, stderr } = await cli('--dry-run', '--policy-parameter', '/p', '--quiet');

    expect(status).toBe(75);
    expect(stderr).toContain('transient: reading the policy (SSM parameter /p): ThrottlingException');
  });

  it('exits 75 when the only problem is a region still being enabled; 1 once the region is DISABLED, saying what to do', async () => {
    const withOptIn = policyFile({ ...policy, regions: [...REGIONS, 'eu-south-2'] });
    endpoint.state.regionOptStatus.set('eu-south-2', 'ENABLING');

    const enabling = await cli('--dry-run', '--policy-file', withOptIn, '--quiet');
    endpoint.state.regionOptStatus.set('eu-south-2', 'DISABLED');
    const disabled = await cli('--dry-run', '--policy-file', withOptIn, '--quiet');

    expect(enabling.status).toBe(75);
    expect(enabling.stderr).toContain('eu-south-2 is being enabled for this account');
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toContain('enable eu-south-2 for this account, or remove it from the policy');
    expect(endpoint.callCount('BatchGetAccountStatus', 'eu-south-2')).toBe(0);
  });

  it('lint says the regions check was skipped when ListRegions fails, and exits 75 when that was transient', async () => {
    endpoint.state.regionOptStatus.set('eu-south-2', 'DISABLED');
    const file = policyFile({ ...policy, regions: [...REGIONS, 'eu-south-2'] });
    endpoint.faults.denyListRegions = true;

    const denied = await cli('lint', '--strict', '--policy-file', file, '--quiet');
    endpoint.faults.denyListRegions = false;
    endpoint.faults.errors = { ListRegions: 'TooManyRequestsException' };
    process.env.AWS_MAX_ATTEMPTS = '1';
    const throttled = await cli('lint', '--policy-file', file, '--quiet');

    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain(
      'The regions check was skipped: Account Management ListRegions failed (AccessDenied',
    );
    expect(throttled.status).toBe(75);
    expect(throttled.stderr).toContain('The regions check was skipped');
  });

  it('explain knows which regions are enabled: none of its calls go to a disabled one, and it exits 1 saying what to do', async () => {
    endpoint.state.regionOptStatus.set('eu-south-2', 'DISABLED');
    const file = policyFile({ ...policy, regions: [...REGIONS, 'eu-south-2'] });
    const member = organization.accounts.find((a) => a.id !== organization.delegatedAdminAccountId) as { id: string };

    const { status, stderr } = await cli('explain', member.id, '--policy-file', file, '--quiet');

    expect(status).toBe(1);
    expect(stderr).toContain('enable eu-south-2 for this account, or remove it from the policy');
    expect([...endpoint.calls.keys()].filter((key) => key.endsWith('@eu-south-2'))).toEqual([]);
  });

  it('lint says which of the policy’s regions this account has not enabled', async () => {
    endpoint.state.regionOptStatus.set('eu-south-2', 'DISABLED');
    const file = policyFile({ ...policy, regions: [...REGIONS, 'eu-south-2'] });

    const { status, stdout } = await cli('lint', '--strict', '--policy-file', file, '--quiet');

    expect(status).toBe(1);
    expect(stdout).toContain(
      '$.regions[2]: eu-south-2 is not enabled for this account (RegionOptStatus DISABLED): enable eu-south-2 for this account, or remove it from the policy [REGION_NOT_ENABLED]',
    );
  });

  describe('a region where this account is not Inspector’s delegated administrator', () => {
    const designate =
      "this account is not Inspector's delegated administrator in eu-west-1: designate it, or remove the region from the policy";

    it('plan exits 1 saying what to do, no eu-west-1 account skipped NOT_INSPECTOR_MEMBER, and plans us-east-1', async () => {
      endpoint.state.notAdministrator.set('eu-west-1', { administrator: '222233334444' });

      const { status, stdout, stderr } = await cli(
        'plan',
        '--policy-file',
        policyFile(policy),
        '--output',
        'json',
        '--quiet',
      );

      expect(status).toBe(1);
      expect(stderr).toContain(designate);
      const summary = JSON.parse(stdout) as RunSummary;
      expect(summary.regions.find((r) => r.region === 'eu-west-1')).toMatchObject({ notDelegatedAdministrator: true });
      expect(summary.regions.find((r) => r.region === 'eu-west-1')?.skipped.NOT_INSPECTOR_MEMBER).toBeUndefined();
      expect(summary.regions.find((r) => r.region === 'us-east-1')?.error).toBeUndefined();
    });

    it('explain exits 1 saying what to do', async () => {
      endpoint.state.notAdministrator.set('eu-west-1', { administrator: '222233334444' });
      const member = organization.accounts.find((a) => a.id !== organization.delegatedAdminAccountId) as { id: string };

      const { status, stderr } = await cli('explain', member.id, '--policy-file', policyFile(policy), '--quiet');

      expect(status).toBe(1);
      expect(stderr).toContain(designate);
    });

    // explain reads one account: its ACCESS_DENIED may be a real non-member's, so with GetDelegatedAdminAccount
    // denied nothing is concluded (docs/how-it-works.md); only a run over the whole organization infers it.
    it('explain concludes nothing from one account’s ACCESS_DENIED when GetDelegatedAdminAccount is denied', async () => {
      endpoint.state.notAdministrator.set('eu-west-1', { denied: true });
      const member = organization.accounts.find((a) => a.id !== organization.delegatedAdminAccountId) as { id: string };

      const { status, stdout, stderr } = await cli(
        'explain',
        member.id,
        '--policy-file',
        policyFile(policy),
        '--quiet',
      );

      expect(status).toBe(0);
      expect(stderr).not.toContain(designate);
      expect(stdout).toContain('NOT_INSPECTOR_MEMBER');
    });

    it('lint names the region with its JSON path', async () => {
      endpoint.state.notAdministrator.set('eu-west-1', { administrator: '222233334444' });

      const { status, stdout } = await cli('lint', '--strict', '--policy-file', policyFile(policy), '--quiet');

      expect(status).toBe(1);
      expect(stdout).toContain(
        `$.regions[1]: ${designate} (GetDelegatedAdminAccount names 222233334444) [NOT_DELEGATED_ADMINISTRATOR]`,
      );
    });
  });
});

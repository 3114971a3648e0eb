import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FINDINGS_NOTE, LIST_ALL_UP_TO } from '../../cli/commands/run';
import { EXIT } from '../../cli/exit-codes';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { FakeTerminal, runCli } from '../support/cli';

const REGIONS = ['us-east-1', 'eu-west-1'];
let endpoint: LocalAwsEndpoint;
let organization: SimulatedOrganization;
let env: NodeJS.ProcessEnv;
let file: string;
const savedEnv = { ...process.env };

const policy = { version: 1, default: 'ACTIVATED', regions: REGIONS, guardrails: { maxDeactivationsPerRun: 1000 } };

beforeEach(async () => {
  organization = SimulatedOrganization.generate({ accounts: 60, regions: REGIONS, activated: 0.3, seed: 5 });
  endpoint = await LocalAwsEndpoint.start(organization);
  // The SDK reads endpoint and credentials from the process's environment, as it would on a laptop;
  // the command's own settings from `env`, with no npm flags: each test adds the ones it is about.
  Object.assign(process.env, endpoint.environment(), { AWS_REGION: 'us-east-1' });
  env = { ...process.env };
  delete env.npm_config_dry_run;
  delete env.npm_config_yes;
  delete env.npm_lifecycle_event;
  file = path.join(mkdtempSync(path.join(tmpdir(), 'apply-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
});

afterEach(async () => {
  await endpoint.close();
  process.env = { ...savedEnv };
  // Every answer the command got conformed to AWS's models.
  if (endpoint.violations.length > 0) {
    throw new Error(`responses departed from AWS's models: ${JSON.stringify(endpoint.violations, null, 2)}`);
  }
});

/** Every account's deep inspection per region, as Inspector holds it (a pending update counts as where it goes). */
const states = () =>
  new Map(REGIONS.map((region) => [region, organization.deepInspectionStates(region, { eventually: true })]));

describe('nothing writes unless apply is named and confirmed', () => {
  it('no command plans, writes nothing, and says how to apply', async () => {
    const before = states();
    const { status, stdout, stderr } = await runCli(['--policy-file', file], { env });
    expect(status).toBe(EXIT.DONE);
    expect(stdout).toMatch(/would activate/);
    expect(stderr).toContain(
      'No command given, so this was a plan: nothing written: use `deep-inspection apply` to apply it.',
    );
    expect(endpoint.writeCount()).toBe(0);
    expect(states()).toEqual(before);
  });

  it('no command with npm_config_dry_run set (npm run reconcile --dry-run) writes nothing, and says npm took it', async () => {
    const { status, stderr } = await runCli(['--policy-file', file], {
      env: { ...env, npm_config_dry_run: 'true', npm_lifecycle_event: 'reconcile' },
    });
    expect(status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBe(0);
    expect(stderr).toContain('npm took --dry-run as its own option (npm_config_dry_run is set): this was a plan');
  });

  it('refuses, before any AWS call, a run whose other options npm took (npm run reconcile --accounts=… -- apply)', async () => {
    const { status, stderr } = await runCli(['apply', '--yes', '--policy-file', file], {
      env: {
        ...env,
        npm_config_accounts: '100000000000',
        npm_config_regions: 'us-east-1',
        npm_lifecycle_event: 'reconcile',
      },
    });
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain('npm took --regions, --accounts as its own options');
    expect(stderr).toContain("Put the command's options after `--`");
    expect([...endpoint.calls.keys()]).toEqual([]);
  });

  it('apply with npm_config_dry_run set only plans, even with --yes, and says npm took --dry-run', async () => {
    const { status, stderr } = await runCli(['apply', '--yes', '--policy-file', file], {
      env: { ...env, npm_config_dry_run: 'true', npm_lifecycle_event: 'reconcile' },
      terminal: new FakeTerminal(() => 'yes'),
    });
    expect(status).toBe(EXIT.DONE);
    expect(stderr).toContain('npm took --dry-run as its own option (npm_config_dry_run is set)');
    expect(stderr).toContain('npm run reconcile -- plan');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('apply --dry-run only plans', async () => {
    const { status, stderr } = await runCli(['apply', '--dry-run', '--yes', '--policy-file', file], { env });
    expect(status).toBe(EXIT.DONE);
    expect(stderr).toContain('--dry-run: planning only; nothing will be written.');
    expect(endpoint.writeCount()).toBe(0);
  });

  it('plan writes nothing', async () => {
    const { status } = await runCli(['plan', '--policy-file', file], { env, terminal: new FakeTerminal(() => 'yes') });
    expect(status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('apply with no terminal and no --yes refuses with its own exit status, before any AWS call', async () => {
    const { status, stdout, stderr } = await runCli(['apply', '--policy-file', file], { env });
    expect(status).toBe(EXIT.NOT_CONFIRMED);
    expect(stdout).toBe('');
    expect(stderr).toContain('apply: not confirmed, nothing written: there is no terminal to ask on.');
    expect(stderr).toContain('`deep-inspection apply --yes`');
    expect(endpoint.calls.size).toBe(0);
  });

  it('apply with npm_config_yes set (npm run reconcile --yes -- apply) refuses and says where --yes goes', async () => {
    const { status, stderr } = await runCli(['apply', '--policy-file', file], {
      env: { ...env, npm_config_yes: 'true', npm_lifecycle_event: 'reconcile' },
    });
    expect(status).toBe(EXIT.NOT_CONFIRMED);
    expect(stderr).toContain('npm took --yes as its own option (npm_config_yes is set)');
    expect(stderr).toContain('npm run reconcile -- apply --yes');
    expect(endpoint.calls.size).toBe(0);
  });

  it.each(['YES', 'Yes', ' yes', 'yes ', ' yes '])(
    'apply answered %j writes nothing: only "yes", exactly, applies',
    async (answer) => {
      const terminal = new FakeTerminal(() => answer);
      const before = states();
      const { status, stderr } = await runCli(['apply', '--policy-file', file], { env, terminal });
      expect(status).toBe(EXIT.NOT_CONFIRMED);
      expect(stderr).toContain('Not applied: nothing written (only "yes", exactly, applies).');
      expect(endpoint.writeCount()).toBe(0);
      expect(states()).toEqual(before);
    },
  );

  it('apply --yes with a queue that does not exist writes nothing and exits 2, naming the queue', async () => {
    const missing = `${endpoint.environment().AWS_ENDPOINT_URL}/${organization.delegatedAdminAccountId}/no-such-queue`;
    const { status, stderr } = await runCli(
      ['apply', '--yes', '--policy-file', file, '--failed-accounts-queue-url', missing],
      { env },
    );
    expect(status).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain(
      `--failed-accounts-queue-url: the queue no-such-queue of account ${organization.delegatedAdminAccountId} (${missing}) does not exist (SQS GetQueueUrl): check the URL, or create the queue. Nothing was written.`,
    );
    expect(stderr).toContain('whether sqs:SendMessage is allowed shows only when a failure is sent');
    expect(endpoint.callCount('GetQueueUrl')).toBe(1);
    expect(endpoint.writeCount()).toBe(0);
  });

  it('apply --strict writes nothing and exits 1 when the policy has a lint warning', async () => {
    writeFileSync(
      file,
      JSON.stringify({
        ...policy,
        rules: [{ name: 'gone', accounts: ['999999999999'], deepInspection: 'DEACTIVATED' }],
      }),
    );
    const { status, stderr } = await runCli(['apply', '--yes', '--strict', '--policy-file', file], { env });
    expect(status).toBe(EXIT.FAILED);
    expect(stderr).toMatch(/apply --strict: the policy has 1 lint warning \(listed above\): nothing written/);
    expect(stderr).toContain('999999999999');
    expect(endpoint.writeCount()).toBe(0);
  });

  it.each(['no', 'y', '', 'YES please'])('apply answered %j on a terminal writes nothing', async (answer) => {
    const terminal = new FakeTerminal(() => answer);
    const before = states();
    const { status, stderr } = await runCli(['apply', '--policy-file', file], { env, terminal });
    expect(terminal.questions).toHaveLength(1);
    expect(status).toBe(EXIT.NOT_CONFIRMED);
    expect(stderr).toContain('Not applied: nothing written.');
    expect(endpoint.writeCount()).toBe(0);
    expect(states()).toEqual(before);
  });
});

describe('apply', () => {
  it('shows the plan, asks, and on "yes" applies exactly the plan it showed, reading nothing again', async () => {
    const before = states();
    // While the person reads the plan, someone turns deep inspection off in an account the plan leaves
    // alone (compliant): apply must not see it, since it writes the plan it showed, not a new one.
    const bystander = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        organization.inspectorAccount('us-east-1', a.id)?.member &&
        organization.inspectorAccount('us-east-1', a.id)?.ec2ScanStatus === 'ENABLED' &&
        organization.inspectorAccount('us-east-1', a.id)?.deepInspection === 'ACTIVATED',
    );
    if (!bystander) throw new Error('no compliant account to change behind the plan');
    let readsWhenAsked = 0;
    const terminal = new FakeTerminal(() => {
      readsWhenAsked = endpoint.callCount('BatchGetAccountStatus');
      const state = organization.inspectorAccount('us-east-1', bystander.id);
      if (state) state.deepInspection = 'DEACTIVATED';
      return 'yes';
    });

    const { status, stdout } = await runCli(['apply', '--policy-file', file, '--output', 'table'], { env, terminal });

    expect(status).toBe(EXIT.DONE);
    const [planned = '', applied = ''] = stdout.split('\nApplied:\n');
    const shown = [...planned.matchAll(/^ {2}(\S+) {2}(\d{12}) {2}(\w+) → (\w+)$/gm)].map(([, region, id, , to]) => ({
      region,
      id,
      to,
    }));
    const total = Number(/^Would change \((\d+)/m.exec(planned)?.[1]);
    // A large plan is shown by region (the table), by rule and direction, and its first lines, with where to read all.
    expect(total).toBeGreaterThan(LIST_ALL_UP_TO);
    expect(shown).toHaveLength(10);
    expect(planned).toContain(
      `Would change (${total}; the first 10 here, ${total - 10} more: --output json, or \`plan --out FILE\` lists them all):`,
    );
    expect(planned).toMatch(
      new RegExp(`^Changes by rule \\(1\\):\\n {2}default: ${total} to ACTIVATED, 0 to DEACTIVATED$`, 'm'),
    );
    expect(terminal.questions[0]).toContain(`It writes deep inspection in ${total} account-regions`);
    expect(terminal.questions[0]).toContain('Only "yes" applies');
    expect(applied).toMatch(new RegExp(`^Changed \\(${total}`, 'm'));
    // Nothing was read between the question and the writes.
    expect(endpoint.callCount('BatchGetAccountStatus')).toBe(readsWhenAsked);
    // What changed is what the plan said, account for account; the bystander stays as it was left.
    const after = states();
    const changed = REGIONS.flatMap((region) =>
      [...(after.get(region) ?? [])]
        .filter(([id, state]) => before.get(region)?.get(id) !== state && id !== bystander.id)
        .map(([id, state]) => ({ region, id, to: state })),
    );
    expect(changed).toHaveLength(total);
    for (const line of shown) expect(changed).toContainEqual(line);
    expect(after.get('us-east-1')?.get(bystander.id)).toBe('DEACTIVATED');
  });

  it('lists every change of a small plan before asking', async () => {
    const terminal = new FakeTerminal(() => 'no');
    const { stdout } = await runCli(
      [
        'apply',
        '--policy-file',
        file,
        '--regions',
        'us-east-1',
        '--accounts',
        organization.accounts
          .slice(0, 20)
          .map((a) => a.id)
          .join(','),
      ],
      { env, terminal },
    );
    const total = Number(/^Would change \((\d+)\):$/m.exec(stdout)?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(LIST_ALL_UP_TO);
    expect([...stdout.matchAll(/^ {2}us-east-1 {2}\d{12} {2}\w+ → \w+$/gm)]).toHaveLength(total);
  });

  it('a forced apply says, next to the question, that it overrides the guardrail and by how much', async () => {
    writeFileSync(
      file,
      JSON.stringify({ ...policy, default: 'DEACTIVATED', guardrails: { maxDeactivationsPerRun: 2 } }),
    );
    const terminal = new FakeTerminal(() => 'no');
    const { status } = await runCli(['apply', '--force', '--policy-file', file, '--regions', 'us-east-1'], {
      env,
      terminal,
    });
    expect(status).toBe(EXIT.NOT_CONFIRMED);
    const deactivations = Number(/(\d+) to DEACTIVATED;/.exec(terminal.questions[0] ?? '')?.[1]);
    expect(deactivations).toBeGreaterThan(2);
    expect(terminal.questions[0]).toContain(
      `--force overrides the guardrail: ${deactivations} accounts to DEACTIVATED where guardrails.maxDeactivationsPerRun is 2, ${deactivations - 2} over the limit; without --force they would be held back.\nApply this plan?`,
    );
    expect(endpoint.writeCount()).toBe(0);
  });

  it('--yes applies without a terminal, and a second apply finds nothing to do and asks nothing', async () => {
    const first = await runCli(['apply', '--yes', '--policy-file', file, '--output', 'json'], { env });
    expect(first.status).toBe(EXIT.DONE);
    const result = JSON.parse(first.stdout);
    expect(result.command).toBe('apply');
    expect(result.totals.activated).toBeGreaterThan(10);
    expect(endpoint.writeCount()).toBeGreaterThan(0);

    endpoint.settleNow();
    endpoint.resetCounters();
    const terminal = new FakeTerminal(() => 'yes');
    const second = await runCli(['apply', '--policy-file', file], { env, terminal });
    expect(second.status).toBe(EXIT.DONE);
    expect(second.stderr).toContain('Nothing to apply: nothing written.');
    expect(terminal.questions).toEqual([]);
    const scripted = await runCli(['apply', '--yes', '--policy-file', file, '--output', 'json'], { env });
    expect(JSON.parse(scripted.stdout)).toMatchObject({
      command: 'apply',
      written: false,
      totals: { activated: 0, deactivated: 0 },
    });
    expect(endpoint.writeCount()).toBe(0);
  });

  it('with --output json and a terminal, shows the plan on stderr and prints one JSON document, the result', async () => {
    const terminal = new FakeTerminal(() => 'yes');
    const { status, stdout, stderr } = await runCli(['apply', '--policy-file', file, '--output', 'json'], {
      env,
      terminal,
    });
    expect(status).toBe(EXIT.DONE);
    expect(stderr).toMatch(/^Would change \(\d+/m);
    expect(JSON.parse(stdout)).toMatchObject({ command: 'apply', written: true });
  });

  it('says how many failures the table leaves out, and that --output json lists them all', async () => {
    // Thirteen accounts the plan changes in us-east-1 fail their update there (Inspector's failedAccountIds).
    const changing = organization.accounts.filter((a) => {
      const state = organization.inspectorAccount('us-east-1', a.id);
      return (
        a.state === 'ACTIVE' &&
        a.id !== organization.delegatedAdminAccountId &&
        state?.member &&
        state.ec2ScanStatus === 'ENABLED' &&
        state.deepInspection === 'DEACTIVATED'
      );
    });
    const failing = changing.slice(0, 13).map((a) => a.id);
    for (const id of failing) endpoint.state.failingUpdateAccounts.add(id);

    const table = await runCli(['apply', '--yes', '--policy-file', file, '--regions', 'us-east-1'], { env });

    // Failures only printed, queued nowhere: the exit table's "failures not queued", never success.
    expect(table.status).toBe(EXIT.FAILED);
    expect(table.stdout).toContain('Failures (13; the first 10 here, 3 more: --output json lists them all):');
    expect(table.stdout.split('\n').filter((line) => / UPDATE_FAILED /.test(line))).toHaveLength(10);
    expect(table.stderr).toContain(
      '13 failures were not queued (no --failed-accounts-queue-url): the table lists the first 10; --output json lists them all; exit 1.',
    );
    const json = JSON.parse(
      (await runCli(['apply', '--yes', '--policy-file', file, '--regions', 'us-east-1', '--output', 'json'], { env }))
        .stdout,
    );
    // The second apply retries the same thirteen: all of them, listed.
    expect(json.failures.map((f: { accountId: string }) => f.accountId).sort()).toEqual([...failing].sort());
  });

  it('keys each queue message by its own run: cli <run id> <region> <account>, the same run id for one apply', async () => {
    const failing = organization.accounts
      .filter((a) => {
        const state = organization.inspectorAccount('us-east-1', a.id);
        return (
          a.state === 'ACTIVE' &&
          a.id !== organization.delegatedAdminAccountId &&
          state?.member &&
          state.ec2ScanStatus === 'ENABLED' &&
          state.deepInspection === 'DEACTIVATED'
        );
      })
      .slice(0, 3)
      .map((a) => a.id);
    for (const id of failing) endpoint.state.failingUpdateAccounts.add(id);
    const queueUrl = endpoint.createQueue('cli-failures');

    const { status } = await runCli(
      ['apply', '--yes', '--policy-file', file, '--regions', 'us-east-1', '--failed-accounts-queue-url', queueUrl],
      { env },
    );

    expect(status).toBe(EXIT.DONE);
    const keys = (endpoint.state.queues.get(queueUrl) ?? []).map((m) => JSON.parse(m.body).deduplicationKey as string);
    expect(keys).toHaveLength(3);
    const runs = new Set(keys.map((key) => key.split(' ').slice(0, 2).join(' ')));
    expect(runs.size).toBe(1);
    expect([...runs][0]).toMatch(/^cli [0-9a-f-]{36}$/);
    expect(keys.map((key) => key.split(' ').slice(2).join(' ')).sort()).toEqual(
      failing.map((id) => `us-east-1 ${id}`).sort(),
    );
  });
});

describe('an apply with nothing to write still reports its failures', () => {
  /** An ACTIVE member, Inspector ENABLED for EC2 in us-east-1: one the run reads and plans. */
  const members = (count: number) =>
    organization.accounts
      .filter((a) => {
        const state = organization.inspectorAccount('us-east-1', a.id);
        return (
          a.state === 'ACTIVE' &&
          a.id !== organization.delegatedAdminAccountId &&
          state?.member &&
          state.ec2ScanStatus === 'ENABLED'
        );
      })
      .slice(0, count)
      .map((a) => a.id);
  const apply = (...extra: string[]) =>
    runCli(['apply', '--yes', '--policy-file', file, '--regions', 'us-east-1', '--output', 'json', ...extra], { env });
  /** Writes to Inspector: the queue's SendMessageBatch is the failures' report, not a write the plan makes. */
  const inspectorWrites = () => endpoint.writeCount() - endpoint.callCount('SendMessageBatch');
  const messages = (queueUrl: string) =>
    (endpoint.state.queues.get(queueUrl) ?? []).map((m) => JSON.parse(m.body) as { accountId: string; reason: string });

  /** Converges deep inspection, then makes one account's status unreadable: its STATUS_UNREADABLE is all that is left. */
  async function deepInspectionUnreadable(): Promise<string> {
    expect((await apply()).status).toBe(EXIT.DONE);
    endpoint.settleNow();
    const [unreadable = ''] = members(1);
    const state = organization.inspectorAccount('us-east-1', unreadable);
    if (state) state.accountStatusError = 'INTERNAL_ERROR';
    endpoint.resetCounters();
    return unreadable;
  }

  it('queues a deep inspection STATUS_UNREADABLE, writing nothing', async () => {
    const unreadable = await deepInspectionUnreadable();
    const queueUrl = endpoint.createQueue('cli-failures');

    const { status, stdout, stderr } = await apply('--failed-accounts-queue-url', queueUrl);

    expect(stderr).toContain('Nothing to apply: nothing written.');
    expect(inspectorWrites()).toBe(0);
    expect(messages(queueUrl)).toEqual([
      expect.objectContaining({ accountId: unreadable, reason: 'STATUS_UNREADABLE' }),
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ command: 'apply', written: false, queue: { sent: 1, undelivered: 0 } });
    expect(status).toBe(EXIT.DONE);
  });

  it('with no queue, says a deep inspection STATUS_UNREADABLE was not queued and exits 1', async () => {
    await deepInspectionUnreadable();

    const { status, stderr } = await apply();

    expect(inspectorWrites()).toBe(0);
    expect(stderr).toContain('Nothing to apply: nothing written.');
    expect(stderr).toContain('1 failure was not queued (no --failed-accounts-queue-url)');
    expect(status).toBe(EXIT.FAILED);
  });

  it('queues scan configuration it could not read (CONFIGURATION_UNREADABLE), and without a queue exits 1', async () => {
    const managed = members(3);
    writeFileSync(
      file,
      JSON.stringify({
        version: 3,
        default: 'UNMANAGED',
        regions: REGIONS,
        rules: [{ name: 'pilots on the VM scanner', accounts: managed, vmScanner: 'ACTIVATED' }],
      }),
    );
    endpoint.faults.errors = { GetConfiguration: 'AccessDeniedException' };
    const queueUrl = endpoint.createQueue('cli-failures');

    const queued = await apply('--failed-accounts-queue-url', queueUrl);

    expect(queued.stderr).toContain('Nothing to apply: nothing written.');
    expect(inspectorWrites()).toBe(0);
    expect(
      messages(queueUrl)
        .map((m) => `${m.accountId} ${m.reason}`)
        .sort(),
    ).toEqual(managed.map((id) => `${id} CONFIGURATION_UNREADABLE`).sort());
    expect(queued.status).toBe(EXIT.DONE);

    const printed = await apply();
    expect(printed.stderr).toContain('3 failures were not queued (no --failed-accounts-queue-url)');
    expect(printed.status).toBe(EXIT.FAILED);
    expect(inspectorWrites()).toBe(0);
  });

  it('a true no-op (nothing to write, no failure) queues nothing and exits 0', async () => {
    expect((await apply()).status).toBe(EXIT.DONE);
    endpoint.settleNow();
    const queueUrl = endpoint.createQueue('cli-failures');
    endpoint.resetCounters();

    const { status, stderr } = await apply('--failed-accounts-queue-url', queueUrl);

    expect(stderr).toContain('Nothing to apply: nothing written.');
    expect(endpoint.callCount('SendMessageBatch')).toBe(0);
    expect(inspectorWrites()).toBe(0);
    expect(status).toBe(EXIT.DONE);
  });
});

describe('Security Hub findings', () => {
  it('apply writes none, even when the policy asks for them, and says the scheduled function will', async () => {
    writeFileSync(file, JSON.stringify({ ...policy, version: 2, findings: { securityHub: true } }));

    const { status, stderr } = await runCli(['apply', '--yes', '--policy-file', file], { env });

    expect(status).toBe(EXIT.DONE);
    expect(endpoint.writeCount()).toBeGreaterThan(0);
    for (const operation of ['DescribeHub', 'GetFindings', 'BatchImportFindings', 'BatchUpdateFindings']) {
      expect(endpoint.callCount(operation)).toBe(0);
    }
    expect(stderr).toContain(FINDINGS_NOTE);
  });

  it('says nothing of findings when the policy does not ask for them', async () => {
    const { stderr } = await runCli(['apply', '--yes', '--policy-file', file], { env });
    expect(stderr).not.toContain('Security Hub');
  });
});

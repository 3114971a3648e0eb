import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { main as reconcileCommand } from '../cli/reconcile';
import { utcDay } from '../lambda/reconciler/expiry';
import { LocalAwsEndpoint } from './aws-endpoint/server';
import { SimulatedOrganization } from './simulated-organization';

const REGIONS = ['us-east-1', 'eu-west-1'];
const PARAMETER = '/deep-inspection-reconciler/policy';
/** The OU of demo-policy.json's report-only rule. */
const REPORT_ONLY_OU = 'ou-ex12-00000002';

/**
 * No AWS account needed: starts a local AWS endpoint with a simulated organization, stores the
 * example policy in its SSM, and runs the operator command line against it three times: a dry run,
 * the apply, and a second run that shows it converged. Exits non-zero if it did not converge.
 */
async function demo(): Promise<number> {
  const organization = SimulatedOrganization.generate({
    accounts: 500,
    regions: REGIONS,
    depth: 2,
    unitsPerLevel: 3,
    closed: 0.03,
    nonMembers: 0.04,
    ec2ScanningOff: 0.06,
    activated: 0.6,
  });
  const endpoint = await LocalAwsEndpoint.start(organization);
  // Inspector applies a change asynchronously: the account reads PENDING for a while. Long enough
  // here that the run right after the apply sees it (a run of this demo takes a few seconds).
  endpoint.simulation.pendingMs = 8_000;
  try {
    Object.assign(process.env, endpoint.environment(), { AWS_REGION: REGIONS[0] });
    const queueUrl = endpoint.createQueue('failed-accounts');
    const policyFile = join(__dirname, 'demo-policy.json');
    // The exception's expiry, set 10 days out so that the demo shows the warning every run gives
    // before an exception lapses (the file's own date is a placeholder).
    const document = JSON.parse(readFileSync(policyFile, 'utf8')) as { rules: { expires?: string }[] };
    const expires = utcDay(new Date(Date.now() + 10 * 86_400_000));
    document.rules.forEach((rule) => {
      if (rule.expires) rule.expires = expires;
    });
    const policyText = JSON.stringify(document, null, 2);
    await new SSMClient({ region: REGIONS[0] }).send(
      new PutParameterCommand({ Name: PARAMETER, Type: 'String', Value: policyText, Overwrite: true }),
    );

    const bold = process.stdout.isTTY ? (text: string) => `\x1b[1m${text}\x1b[0m` : (text: string) => text;
    const heading = (text: string) => console.log(`\n${bold(text)}`);
    heading(`Local AWS endpoint ${endpoint.url}`);
    console.log(
      `Simulated organization: ${organization.accounts.length} accounts under ${organization.units.size} OUs, ` +
        `regions ${REGIONS.join(', ')}, delegated administrator ${organization.delegatedAdminAccountId}`,
    );
    console.log(
      `Policy (SSM parameter ${PARAMETER}, from ${policyFile}, the exception expiring on ${expires}):\n${policyText}`,
    );

    const io = {
      stdout: (text: string) => process.stdout.write(text),
      stderr: (text: string) => process.stderr.write(text),
      env: process.env,
    };
    const reading = ['--policy-parameter', PARAMETER, '--quiet'];
    const common = [...reading, '--failed-accounts-queue-url', queueUrl];
    // An account under the report-only rule's OU: explain shows why it is decided as it is.
    const explained = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        organization.ancestorsOf(a.id).includes(REPORT_ONLY_OU) &&
        organization.inspectorAccount(REGIONS[0] as string, a.id)?.deepInspection === 'ACTIVATED',
    );
    const steps = [
      { title: '1. Dry run: what would change (nothing is written)', args: [] as string[], dryRun: true },
      {
        title: '2. Explain one account: its rules in order, the decision, each region',
        args: ['explain', explained?.id ?? ''],
        dryRun: false,
      },
      { title: '3. Apply (the report-only rule is reported, never written)', args: [], dryRun: false },
      {
        title: '4. Run again at once: Inspector still has the changes PENDING, so nothing is written',
        args: [],
        dryRun: false,
      },
      { title: '5. Run again once they settled: nothing left to change', args: [], dryRun: false, settle: true },
      {
        title: '6. Effective coverage: how many EC2 instances are really deep-inspected, and what to fix (reads only)',
        args: ['coverage'],
        dryRun: false,
        coverage: true,
      },
    ];
    let lastWrites = -1;
    for (const step of steps) {
      if (step.settle) {
        const wait = Math.max(0, organization.lastSettlement() - Date.now());
        console.log(`\n(waiting ${(wait / 1000).toFixed(1)} s for Inspector to settle its PENDING updates)`);
        await endpoint.settled();
      }
      // coverage only reads: the failed-accounts queue is not its business.
      const args = [...(step.dryRun ? ['--dry-run'] : []), ...step.args, ...(step.coverage ? reading : common)];
      heading(`${step.title}\n$ npm run reconcile -- ${args.join(' ')}`);
      endpoint.resetCounters();
      const status = await reconcileCommand(args, io);
      const calls = [...endpoint.calls].filter(([key]) => !key.includes('@') && !key.startsWith('sts.'));
      console.log(`API calls: ${calls.map(([key, count]) => `${key.split('.')[1]} ${count}`).join(', ')}`);
      console.log(`Write calls: ${endpoint.writeCount()}; exit status ${status}`);
      if (!step.coverage) lastWrites = endpoint.writeCount();
      if (status !== 0) return status;
    }
    const pending = organization.lastSettlement() > Date.now();
    if (lastWrites !== 0 || pending) {
      console.error(
        `\nNot converged: the last run made ${lastWrites} write calls${pending ? ', and updates are still PENDING' : ''}.`,
      );
      return 1;
    }
    if (endpoint.violations.length > 0) {
      console.error(
        `\n${endpoint.violations.length} responses departed from AWS's models:`,
        endpoint.violations.slice(0, 5),
      );
      return 1;
    }
    heading('Converged: the last run made zero changes and zero write calls, with nothing PENDING.');
    console.log('Point the same command at your organization: npm run reconcile -- --dry-run (see README).');
    return 0;
  } finally {
    await endpoint.close();
  }
}

demo().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  },
);

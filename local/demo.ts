import { main as deepInspection } from '../cli/main';
import { processIo } from '../cli/terminal';
import { LocalAwsEndpoint } from './aws-endpoint/server';
import {
  DEMO_POLICY_FILE,
  DEMO_POLICY_PARAMETER,
  DEMO_QUEUE,
  DEMO_REGIONS,
  demoOrganization,
  seedDemoPolicy,
} from './demo-organization';

const REGIONS = DEMO_REGIONS;
const PARAMETER = DEMO_POLICY_PARAMETER;
/** The OU of demo-policy.json's report-only rule. */
const REPORT_ONLY_OU = 'ou-ex12-00000002';

/**
 * No AWS account needed: starts a local AWS endpoint with a simulated organization, stores the
 * example policy in its SSM, and runs the operator's command against it: a plan, explain, the apply,
 * two more applies that show it converged, and coverage. Exits non-zero if it did not converge.
 */
async function demo(): Promise<number> {
  const organization = demoOrganization(500);
  const endpoint = await LocalAwsEndpoint.start(organization);
  // Inspector applies a change asynchronously: the account reads PENDING for a while. Long enough
  // here that the run right after the apply sees it (a run of this demo takes a few seconds).
  endpoint.simulation.pendingMs = 8_000;
  try {
    Object.assign(process.env, endpoint.environment(), { AWS_REGION: REGIONS[0] });
    const queueUrl = endpoint.createQueue(DEMO_QUEUE);
    const { text: policyText, expires } = seedDemoPolicy(endpoint);

    const bold = process.stdout.isTTY ? (text: string) => `\x1b[1m${text}\x1b[0m` : (text: string) => text;
    const heading = (text: string) => console.log(`\n${bold(text)}`);
    heading(`Local AWS endpoint ${endpoint.url}`);
    console.log(
      `Simulated organization: ${organization.accounts.length} accounts under ${organization.units.size} OUs, ` +
        `regions ${REGIONS.join(', ')}, delegated administrator ${organization.delegatedAdminAccountId}`,
    );
    console.log(
      `Policy (SSM parameter ${PARAMETER}, from ${DEMO_POLICY_FILE}, the exception expiring on ${expires}):\n${policyText}`,
    );

    // Progress on a terminal, as the command draws it; never a question: every apply here says --yes.
    const io = { ...processIo(), terminal: undefined };
    const reading = ['--policy-parameter', PARAMETER];
    // What the headings show: the same command for a shell pointed at `deep-inspection local`.
    const queueShown = ['--failed-accounts-queue-url', '"$FAILED_ACCOUNTS_QUEUE_URL"'];
    // An account under the report-only rule's OU: explain shows why it is decided as it is.
    const explained = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        organization.ancestorsOf(a.id).includes(REPORT_ONLY_OU) &&
        organization.inspectorAccount(REGIONS[0] as string, a.id)?.deepInspection === 'ACTIVATED',
    );
    const apply = { args: ['apply', '--yes', ...reading], queue: true };
    const steps = [
      { title: '1. Plan: what would change (nothing is written)', args: ['plan', ...reading] },
      {
        title: '2. Explain one account: its rules in order, the decision, each region',
        args: ['explain', explained?.id ?? '', ...reading],
      },
      { title: '3. Apply (the report-only rule is reported, never written)', ...apply },
      { title: '4. Apply again at once: Inspector still has the changes PENDING, so nothing is written', ...apply },
      { title: '5. Apply again once they settled: nothing left to change', ...apply, settle: true },
      {
        title: '6. Effective coverage: how many EC2 instances are really deep-inspected, and what to fix (reads only)',
        args: ['coverage', ...reading],
        coverage: true,
      },
    ];
    let lastWrites = -1;
    for (const step of steps) {
      if ('settle' in step) {
        const wait = Math.max(0, organization.lastSettlement() - Date.now());
        console.log(`\n(waiting ${(wait / 1000).toFixed(1)} s for Inspector to settle its PENDING updates)`);
        await endpoint.settled();
      }
      const args = [...step.args, ...('queue' in step ? ['--failed-accounts-queue-url', queueUrl] : [])];
      const shown = [...step.args, ...('queue' in step ? queueShown : [])];
      heading(`${step.title}\n$ npx deep-inspection ${shown.join(' ')}`);
      endpoint.resetCounters();
      const status = await deepInspection(args, io);
      const calls = [...endpoint.calls].filter(([key]) => !key.includes('@') && !key.startsWith('sts.'));
      console.log(`API calls: ${calls.map(([key, count]) => `${key.split('.')[1]} ${count}`).join(', ')}`);
      console.log(`Write calls: ${endpoint.writeCount()}; exit status ${status}`);
      if (!('coverage' in step)) lastWrites = endpoint.writeCount();
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
    console.log(
      'The endpoint is closed now. To try these commands yourself: `npx deep-inspection local` in one shell, the export\n' +
        'lines it prints in another, then any command above. For your organization: `npx deep-inspection plan` (see README).',
    );
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

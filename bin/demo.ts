import type { Context } from 'aws-lambda';
import { main as deepInspection } from '../cli/main';
import { processIo } from '../cli/terminal';
import { EMPTY_LEDGER, FIELD, loadHandler, type RunSummary } from '../lambda/reconciler';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import {
  DEMO_POLICY_FILE,
  DEMO_POLICY_PARAMETER,
  DEMO_QUEUE,
  DEMO_REGIONS,
  demoOrganization,
  seedDemoPolicy,
} from '../local/demo-organization';
import { type Invoke, scanConfigurationSteps } from '../local/demo-scan-configuration';

const REGIONS = DEMO_REGIONS;
const PARAMETER = DEMO_POLICY_PARAMETER;
/** The OU of demo-policy.json's report-only rule. */
const REPORT_ONLY_OU = 'ou-ex12-00000002';

/** Inspector's write operations: the function's runs below must make none once the CLI has converged. */
const INSPECTOR_WRITES = [
  'BatchUpdateMemberEc2DeepInspectionStatus',
  'UpdateEc2DeepInspectionConfiguration',
  'UpdateOrgEc2DeepInspectionConfiguration',
];

/**
 * No AWS account needed: starts a local AWS endpoint with a simulated organization, stores the
 * example policy in its SSM, and runs the operator's command against it: a plan, explain, the apply,
 * two more applies that show it converged, and coverage. Then the scheduled function itself, with
 * Security Hub findings on: the exceptions appear as findings, and one resolves once fixed. Last, the
 * policy moves one OU to the Inspector VM scanner, report-only then enforced (local/demo-scan-configuration.ts).
 * Exits non-zero if it did not converge, if the findings did not appear and resolve, or if the scan
 * configuration's counts differ from the simulated Inspector's.
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
    // An account whose EC2 scanning an Organizations Inspector policy turns off in the second region.
    const policyRegion = REGIONS[1] as string;
    const disabledByPolicy = organization.accounts.find(
      (a) =>
        a.state === 'ACTIVE' &&
        organization.inspectorAccount(policyRegion, a.id)?.member === true &&
        organization.inspectorPolicies.get(a.id)?.disableInRegions?.includes(policyRegion) === true,
    );
    const apply = { args: ['apply', '--yes', ...reading], queue: true };
    const steps = [
      { title: '1. Plan: what would change (nothing is written)', args: ['plan', ...reading] },
      {
        title: '2. Explain one account: its rules in order, the decision, each region',
        args: ['explain', explained?.id ?? '', ...reading],
      },
      {
        title:
          '2b. Explain an account whose EC2 scanning is off, with the administrator allowed to read effective policies\n' +
          "    (`deep-inspection local --administrator-reads-effective-policies`): the organization's Inspector policy disabled it",
        args: ['explain', disabledByPolicy?.id ?? '', ...reading],
        readsEffectivePolicies: true,
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
      // Only this step: everywhere else the endpoint refuses, as for most Inspector administrators.
      endpoint.simulation.administratorReadsEffectivePolicies = 'readsEffectivePolicies' in step;
      const status = await deepInspection(args, io);
      const calls = [...endpoint.calls].filter(([key]) => !key.includes('@') && !key.startsWith('sts.'));
      console.log(`API calls: ${calls.map(([key, count]) => `${key.split('.')[1]} ${count}`).join(', ')}`);
      console.log(`Write calls: ${endpoint.writeCount()}; exit status ${status}`);
      if (!('coverage' in step)) lastWrites = endpoint.writeCount();
      if (status !== 0) return status;
    }
    const invoke = await functionInvoker(endpoint, organization, queueUrl);
    const problem =
      (await findingsSteps(endpoint, organization, invoke, heading)) ??
      (await scanConfigurationSteps(endpoint, organization, invoke, { heading, line: console.log }));
    if (problem !== undefined) {
      console.error(`\n${problem}`);
      return 1;
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
    heading(
      'Converged: the last apply made zero changes and zero write calls, with nothing PENDING; the function then wrote only Security Hub findings,\n' +
        'and moved one OU to the VM scanner: report-only first, then enforced, and its next run wrote nothing.',
    );
    console.log(
      'The endpoint is closed now. To try these commands yourself: `npx deep-inspection local` in one shell, the export\n' +
        'lines it prints in another, then any command above. For your organization: `npx deep-inspection plan` (see README).',
    );
    return 0;
  } finally {
    await endpoint.close();
  }
}

/**
 * The function as the stack deploys it with securityHubFindings (the handler, in this process): its
 * settings, the guardrail's empty ledger, and an invoker that gives it an event.
 */
async function functionInvoker(
  endpoint: LocalAwsEndpoint,
  organization: ReturnType<typeof demoOrganization>,
  queueUrl: string,
): Promise<Invoke> {
  const region = REGIONS[0] as string;
  // What the deploy gives the function: its settings, and the guardrail's empty ledger.
  endpoint.state.parameters.set(`${PARAMETER}-guardrail-ledger`, { value: EMPTY_LEDGER, version: 1 });
  Object.assign(process.env, {
    POLICY_PARAMETER_NAME: PARAMETER,
    GUARDRAIL_LEDGER_PARAMETER_NAME: `${PARAMETER}-guardrail-ledger`,
    FAILED_ACCOUNTS_QUEUE_URL: queueUrl,
    SECURITY_HUB_FINDINGS: 'true',
    // The function's JSON logs and metrics would bury the demo's own lines.
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Imported now, so that its logger and metrics are created with the settings above.
  const handler = await loadHandler();
  return async (event) => {
    const context = {
      awsRequestId: `demo-${Date.now()}`,
      invokedFunctionArn: `arn:aws:lambda:${region}:${organization.delegatedAdminAccountId}:function:deep-inspection-reconciler`,
      functionName: 'deep-inspection-reconciler',
      getRemainingTimeInMillis: () => 900_000,
    } as unknown as Context;
    return (await handler(event, context)) as RunSummary;
  };
}

/**
 * The scheduled function's own run: the exceptions the CLI's apply could not fix appear in Security Hub; a
 * person fixes one; the next run archives its finding. Returns what went wrong, if anything.
 */
async function findingsSteps(
  endpoint: LocalAwsEndpoint,
  organization: ReturnType<typeof demoOrganization>,
  invokeFunction: Invoke,
  heading: (text: string) => void,
): Promise<string | undefined> {
  const region = REGIONS[0] as string;
  const invoke = async (): Promise<RunSummary> => {
    endpoint.resetCounters();
    return invokeFunction({
      trigger: 'schedule',
      scheduledTime: new Date().toISOString(),
      scheduleExecutionId: 'demo',
    });
  };
  const inspectorWrites = () => INSPECTOR_WRITES.reduce((sum, operation) => sum + endpoint.callCount(operation), 0);
  const callsLine = () =>
    ['GetFindings', 'BatchImportFindings']
      .map((operation) => `${operation} ${endpoint.callCount(operation)}`)
      .join(', ');
  type Finding = { Id: string; Title: string; RecordState: string; Compliance: { Status: string } } & {
    ProductFields: Record<string, string>;
  };
  const findings = () => REGIONS.flatMap((r) => endpoint.state.securityHub.findingsIn(r) as unknown as Finding[]);
  const active = () => findings().filter((finding) => finding.RecordState === 'ACTIVE');

  heading(
    '7. The scheduled function runs (the stack with -c securityHubFindings=true, the policy with "findings": {"securityHub": true}):\n' +
      '   every exception the policy cannot hold becomes a Security Hub finding in its region',
  );
  const first = await invoke();
  console.log(`Security Hub calls: ${callsLine()}; Inspector write calls: ${inspectorWrites()}`);
  const byReason = new Map<string, number>();
  for (const finding of active()) {
    const reason = finding.ProductFields[FIELD.reason] ?? '?';
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  console.log(`ACTIVE findings: ${active().length} (${[...byReason].map(([r, n]) => `${r} ${n}`).join(', ')})`);
  const example = active().find((finding) => finding.ProductFields[FIELD.reason] === 'EC2_SCANNING_NOT_ENABLED');
  if (example) console.log(`For example: "${example.Title}"`);
  if (first.findings === undefined || 'notGranted' in first.findings || active().length === 0) {
    return 'No Security Hub finding appeared.';
  }
  if (inspectorWrites() !== 0)
    return `The function wrote to Inspector after the CLI converged (${inspectorWrites()} calls).`;

  // A person fixes one exception: EC2 scanning back on for an account whose deep inspection is still on.
  const fixable = active().find((finding) => {
    const accountId = finding.ProductFields[FIELD.accountId];
    const state = accountId === undefined ? undefined : organization.inspectorAccount(region, accountId);
    return (
      finding.ProductFields[FIELD.reason] === 'EC2_SCANNING_NOT_ENABLED' &&
      finding.Id.includes(`/${region}/`) &&
      state?.deepInspection === 'ACTIVATED'
    );
  });
  const fixed = fixable?.ProductFields[FIELD.accountId];
  const fixedState = fixed === undefined ? undefined : organization.inspectorAccount(region, fixed);
  if (fixable === undefined || fixedState === undefined) return 'No EC2 scanning exception to fix in the demo.';
  fixedState.ec2ScanStatus = 'ENABLED';
  const others = active().length - 1;
  heading(
    `8. Someone enables EC2 scanning for account ${fixed} in ${region}; the next run archives that finding (Compliance PASSED)`,
  );
  await invoke();
  const after = findings().find((finding) => finding.Id === fixable.Id);
  console.log(
    `Security Hub calls: ${callsLine()}; the finding is now ${after?.RecordState}, Compliance ${after?.Compliance.Status}; ` +
      `${active().length} others still ACTIVE, untouched`,
  );
  if (after?.RecordState !== 'ARCHIVED' || after.Compliance.Status !== 'PASSED') {
    return `The fixed exception's finding was not archived: ${after?.RecordState}, ${after?.Compliance.Status}.`;
  }
  if (active().length !== others) return `Expected ${others} findings still ACTIVE, found ${active().length}.`;
  if (inspectorWrites() !== 0)
    return `The function wrote to Inspector after the CLI converged (${inspectorWrites()} calls).`;
  return undefined;
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

import { describeChange, type RunSummary, type ScanConfigurationTotals, settingName } from '../lambda/reconciler';
import type { LocalAwsEndpoint } from './aws-endpoint/server';
import { DEMO_POLICY_PARAMETER, DEMO_REGIONS } from './demo-organization';
import type { SimulatedOrganization } from './simulated-organization';

/*
 * The demo's EC2 scan configuration steps (issue 26): the policy moves one OU to the Inspector VM scanner,
 * report-only first (what would change, nothing written), then enforced (written, one UpdateConfiguration a
 * member and region), then the next run reads every one of them back with GetConfiguration and writes
 * nothing. The function runs as the stack deploys it; the runs name the OU's accounts, as an operator asks
 * for their verification after a policy change instead of waiting for the day's slices.
 */

/** The OU the demo moves to the VM scanner: a top-level OU no other rule of demo-policy.json names. */
export const VM_SCANNER_OU = 'ou-ex12-00000003';
export const VM_SCANNER_RULE = 'platform OU on the VM scanner';

/** Invokes the function with an event, as Lambda would, and answers its summary. */
export type Invoke = (event: object) => Promise<RunSummary>;

export interface DemoOutput {
  readonly heading: (text: string) => void;
  readonly line: (text: string) => void;
}

/** The OU's ACTIVE accounts: the accounts the rule matches (its OUs' descendants included). */
export function accountsOf(organization: SimulatedOrganization, ou: string): string[] {
  return organization.accounts
    .filter((account) => account.state === 'ACTIVE' && organization.ancestorsOf(account.id).includes(ou))
    .map((account) => account.id);
}

/**
 * Account × regions of `accounts` whose VM scanner the rule changes, as the simulated Inspector stands (the
 * ground truth the demo checks the function against): a member with EC2 scanning on and the VM scanner off.
 */
export function vmScannerOff(organization: SimulatedOrganization, accounts: readonly string[]): number {
  return DEMO_REGIONS.reduce(
    (sum, region) =>
      sum +
      accounts.filter((accountId) => {
        const state = organization.inspectorAccount(region, accountId);
        return (
          state?.member === true &&
          state.ec2ScanStatus === 'ENABLED' &&
          !organization.ec2ConfigurationOf(region, accountId).vmScannerActivated
        );
      }).length,
    0,
  );
}

/** The demo policy in the endpoint's SSM, as version 3 with the rule moving the OU to the VM scanner. */
function storePolicy(endpoint: LocalAwsEndpoint, enforcement: 'report' | 'enforce'): object {
  const stored = endpoint.state.parameters.get(DEMO_POLICY_PARAMETER);
  if (stored === undefined) throw new Error(`the demo policy is not in ${DEMO_POLICY_PARAMETER}`);
  const document = JSON.parse(stored.value) as { rules: object[] } & Record<string, unknown>;
  const rule = {
    name: VM_SCANNER_RULE,
    organizationalUnits: [VM_SCANNER_OU],
    vmScanner: 'ACTIVATED',
    ...(enforcement === 'report' ? { enforcement: 'report' } : {}),
    owner: 'platform-team@example.com',
    reason: 'moving from the SSM plugin to the Inspector VM scanner, OU by OU',
  };
  const rules = document.rules.filter((candidate) => (candidate as { name?: string }).name !== VM_SCANNER_RULE);
  const policy = { ...document, version: 3, rules: [...rules, rule] };
  endpoint.state.parameters.set(DEMO_POLICY_PARAMETER, { value: JSON.stringify(policy), version: stored.version + 1 });
  return rule;
}

function totalsLine(totals: ScanConfigurationTotals | undefined): string {
  if (totals === undefined) return 'no scan configuration evaluated';
  return (
    `${totals.accounts} account × regions evaluated (${totals.reads} GetConfiguration reads): ${totals.compliant} compliant, ` +
    `${totals.updated} updated (${totals.byWrite.MEMBER} one by one), ${totals.wouldUpdate} would update (report-only), ` +
    `${totals.skipped} skipped, ${totals.failed} failed; VM scanner as read: ${totals.vmScanner.ACTIVATED} ACTIVATED, ` +
    `${totals.vmScanner.DEACTIVATED} DEACTIVATED`
  );
}

/**
 * Runs the three steps and prints them. Returns what went wrong (the function's counts against the
 * simulated Inspector's), or undefined.
 */
export async function scanConfigurationSteps(
  endpoint: LocalAwsEndpoint,
  organization: SimulatedOrganization,
  invoke: Invoke,
  output: DemoOutput,
  firstStep = 9,
): Promise<string | undefined> {
  const accounts = accountsOf(organization, VM_SCANNER_OU);
  const event = { accountIds: accounts };
  const payload = `'{"accountIds": [${accounts.length} account ids of ${VM_SCANNER_OU}]}'`;
  const toChange = vmScannerOff(organization, accounts);
  const updateCalls = () => endpoint.callCount('UpdateConfiguration');
  const examples = (summary: RunSummary, kind: 'UPDATE' | 'WOULD_UPDATE') => {
    for (const listed of (summary.scanConfigurationChanges ?? []).filter((entry) => entry.kind === kind).slice(0, 3)) {
      output.line(
        `  ${listed.accountId} ${listed.region}: ${listed.changes.map((change) => describeChange({ ...change, enforcement: 'enforce' })).join(', ')}` +
          (listed.write ? ` [${listed.write}]` : ''),
      );
    }
  };

  const reportRule = storePolicy(endpoint, 'report');
  output.heading(
    `${firstStep}. The policy moves ${VM_SCANNER_OU} to the Inspector VM scanner, report-only first (version 3, one rule more):\n` +
      `   ${JSON.stringify(reportRule)}\n` +
      `   $ aws lambda invoke --function-name <the function> --payload ${payload} out.json`,
  );
  endpoint.resetCounters();
  const report = await invoke(event);
  output.line(`Scan configuration: ${totalsLine(report.scanConfiguration)}`);
  examples(report, 'WOULD_UPDATE');
  output.line(`UpdateConfiguration calls: ${updateCalls()}; the rule is report-only: nothing written`);
  if (updateCalls() !== 0) return `The report-only rule wrote ${updateCalls()} UpdateConfiguration calls.`;
  if (report.scanConfiguration?.wouldUpdate !== toChange) {
    return `The report-only run found ${report.scanConfiguration?.wouldUpdate} VM scanners to change; Inspector has ${toChange}.`;
  }

  storePolicy(endpoint, 'enforce');
  output.heading(
    `${firstStep + 1}. Enforced: the rule without "enforcement": "report"; the same invocation writes each one (UpdateConfiguration with its accountId)`,
  );
  endpoint.resetCounters();
  const applied = await invoke(event);
  output.line(`Scan configuration: ${totalsLine(applied.scanConfiguration)}`);
  examples(applied, 'UPDATE');
  output.line(`UpdateConfiguration calls: ${updateCalls()}`);
  if (applied.scanConfiguration?.updated !== toChange || updateCalls() !== toChange) {
    return `The enforced run updated ${applied.scanConfiguration?.updated} (${updateCalls()} calls); Inspector had ${toChange} to change.`;
  }

  const wait = Math.max(0, organization.lastSettlement() - Date.now());
  output.line(`\n(waiting ${(wait / 1000).toFixed(1)} s for Inspector to settle its PENDING updates)`);
  await endpoint.settled();
  output.heading(
    `${firstStep + 2}. The next run reads each of them back (GetConfiguration with its accountId): ${settingName('vmScanner')} ACTIVATED, nothing to write`,
  );
  endpoint.resetCounters();
  const next = await invoke(event);
  output.line(`Scan configuration: ${totalsLine(next.scanConfiguration)}`);
  output.line(`UpdateConfiguration calls: ${updateCalls()}`);
  if (updateCalls() !== 0 || (next.scanConfiguration?.updated ?? 0) !== 0) {
    return `The run after the enforced one wrote ${updateCalls()} UpdateConfiguration calls.`;
  }
  const left = vmScannerOff(organization, accounts);
  if (left !== 0) return `${left} account × regions of ${VM_SCANNER_OU} still have the VM scanner off.`;
  return undefined;
}

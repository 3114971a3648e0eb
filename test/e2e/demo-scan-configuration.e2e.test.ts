import { EMPTY_LEDGER, type RunSummary } from '../../lambda/reconciler';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { buildFunction, invokeBundle } from '../../local/bundle';
import {
  DEMO_POLICY_PARAMETER,
  DEMO_QUEUE,
  DEMO_REGIONS,
  demoOrganization,
  seedDemoPolicy,
} from '../../local/demo-organization';
import {
  accountsOf,
  scanConfigurationSteps,
  VM_SCANNER_OU,
  VM_SCANNER_RULE,
  vmScannerOff,
} from '../../local/demo-scan-configuration';

/** The demo's scan configuration steps (npm run demo, steps 9–11), with the bundle the stack deploys. */

it('moves one OU to the VM scanner: report-only writes nothing, enforced writes each, the next run reads them back and writes nothing', async () => {
  const fn = buildFunction();
  const organization = demoOrganization(60);
  const endpoint = await LocalAwsEndpoint.start(organization);
  try {
    seedDemoPolicy(endpoint);
    endpoint.state.parameters.set(`${DEMO_POLICY_PARAMETER}-guardrail-ledger`, { value: EMPTY_LEDGER, version: 1 });
    const env = {
      ...fn.environment,
      ...endpoint.environment(),
      AWS_REGION: DEMO_REGIONS[0],
      POLICY_PARAMETER_NAME: DEMO_POLICY_PARAMETER,
      GUARDRAIL_LEDGER_PARAMETER_NAME: `${DEMO_POLICY_PARAMETER}-guardrail-ledger`,
      FAILED_ACCOUNTS_QUEUE_URL: endpoint.createQueue(DEMO_QUEUE),
      // Pacing loose enough not to slow the suite, as the other end-to-end tests' (test/support/function-environment.ts):
      // at the default 10 a second, each run's reads and writes wait on it. Pacing has its own tests and the benchmark.
      INSPECTOR_REQUESTS_PER_SECOND: '50',
      ORGANIZATIONS_REQUESTS_PER_SECOND: '50',
    };
    const accounts = accountsOf(organization, VM_SCANNER_OU);
    const others = organization.accounts.filter((account) => !accounts.includes(account.id));
    const configurationOf = (ids: readonly string[]) =>
      DEMO_REGIONS.map((region) => ids.map((id) => organization.ec2ConfigurationOf(region, id).vmScannerActivated));
    const othersBefore = configurationOf(others.map((account) => account.id));
    const toChange = vmScannerOff(organization, accounts);
    const lines: string[] = [];

    const problem = await scanConfigurationSteps(
      endpoint,
      organization,
      async (event) => (await invokeBundle(fn.bundle, event, organization.delegatedAdminAccountId, env)) as RunSummary,
      { heading: (text) => lines.push(`# ${text}`), line: (text) => lines.push(text) },
    );

    expect(problem).toBeUndefined();
    expect(toChange).toBeGreaterThan(0);
    const text = lines.join('\n');
    const [report, enforced, next] = text.split(/^# \d+\. /m).slice(1);
    expect(report).toContain(`"vmScanner":"ACTIVATED","enforcement":"report"`);
    expect(report).toContain(`${toChange} would update (report-only)`);
    expect(report).toContain(`VM scanner DEACTIVATED → ACTIVATED (rule "${VM_SCANNER_RULE}") [MEMBER]`);
    expect(report).toMatch(/^UpdateConfiguration calls: 0;/m);
    expect(enforced).toContain(`${toChange} updated (${toChange} one by one)`);
    expect(enforced).toMatch(new RegExp(`^UpdateConfiguration calls: ${toChange}$`, 'm'));
    expect(next).toContain('0 updated');
    expect(next).toMatch(/^UpdateConfiguration calls: 0$/m);
    // Read back in the simulated Inspector: the OU on the VM scanner, every other account as it was.
    expect(vmScannerOff(organization, accounts)).toBe(0);
    expect(configurationOf(others.map((account) => account.id))).toEqual(othersBefore);
    expect(endpoint.violations).toEqual([]);
  } finally {
    await endpoint.close();
  }
});

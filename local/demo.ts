import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dependencies, reconcile } from '../lambda/reconciler/reconcile';
import { InMemoryDirectory, InMemoryInspector, InMemoryQueue, StaticPolicySource } from './in-memory';
import { formatSummary } from './report';
import { SimulatedOrganization } from './simulated-organization';

/**
 * Runs the reconciler's core against a simulated organization in memory: no AWS account needed.
 * Dry run, apply, then run again to show it converged. Exits non-zero if it did not.
 */
async function main(): Promise<void> {
  const regions = ['us-east-1', 'eu-west-1'];
  const organization = SimulatedOrganization.generate({
    accounts: 500,
    regions,
    depth: 2,
    unitsPerLevel: 2,
    closed: 0.03,
    nonMembers: 0.04,
    ec2ScanningOff: 0.06,
    activated: 0.6,
  });
  const policyFile = join(__dirname, 'demo-policy.json');
  const policyText = readFileSync(policyFile, 'utf8');
  const inspectors = new Map(regions.map((region) => [region, new InMemoryInspector(organization, region)]));
  const queue = new InMemoryQueue();
  const deps: Dependencies = {
    policy: new StaticPolicySource(policyText, policyFile),
    directory: new InMemoryDirectory(organization),
    inspectorFor: (region) => inspectors.get(region) as InMemoryInspector,
    queue,
  };
  const request = {
    force: false,
    ownAccountId: organization.delegatedAdminAccountId,
    defaultRegion: regions[0] as string,
  };
  const writes = () => [...inspectors.values()].reduce((sum, inspector) => sum + inspector.writes.length, 0);

  console.log(
    `Simulated organization: ${organization.accounts.length} accounts, ${organization.units.size} OUs, regions ${regions.join(', ')}`,
  );
  console.log(`Delegated administrator: ${organization.delegatedAdminAccountId}`);
  console.log(`Policy (${policyFile}):\n${policyText}`);

  const steps = [
    { title: '1. Dry run: what would change (nothing is written)', runId: 'demo-dry-run', dryRun: true },
    { title: '2. Apply', runId: 'demo-apply', dryRun: false },
    { title: '3. Run again: converged, nothing left to change', runId: 'demo-converged', dryRun: false },
  ];
  let last = { changes: -1, writes: 0 };
  for (const step of steps) {
    const before = writes();
    const { summary } = await reconcile({ ...request, runId: step.runId, dryRun: step.dryRun }, deps);
    console.log(`\n${step.title}\n${formatSummary(summary)}`);
    console.log(`Write operations in this run: ${writes() - before}; failures queued: ${summary.queue.sent}`);
    last = { changes: summary.totals.activated + summary.totals.deactivated, writes: writes() - before };
  }
  if (last.changes !== 0 || last.writes !== 0) {
    console.error(`\nNot converged: the last run still changed ${last.changes} accounts with ${last.writes} writes.`);
    process.exitCode = 1;
    return;
  }
  console.log('\nConverged: the second run made zero changes and zero writes.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

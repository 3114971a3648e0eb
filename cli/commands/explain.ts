import {
  accountsFor,
  applyPlan,
  combinedVerdict,
  planRun,
  type ReconcileRequest,
  utcDay,
} from '../../lambda/reconciler';
import { randomUUID } from 'node:crypto';
import { EXIT } from '../exit-codes';
import { explain } from '../explanation';
import { type ParsedOptions, resolveCommon } from '../options';
import { formatExplanation } from '../report';
import { openSession } from '../session';
import type { Io } from '../terminal';

/**
 * `explain <account-id>`: the account's OU path, each rule in order and whether it matched, the
 * decision, and per region what Inspector reports and what a run would do. Writes nothing.
 */
export async function explainCommand(accountId: string, parsed: ParsedOptions, io: Io): Promise<number> {
  const options = await resolveCommon(parsed, io.env);
  const session = await openSession(options, io);
  try {
    const ownAccountId = await session.ownAccountId();
    // explain shows the account's OU path: it reads that one account and its parents up to the root
    // (DescribeAccount, ListParents), never the whole organization, and plans on what it read.
    const { accounts } = await accountsFor(session.directory, [accountId], { withAncestors: true });
    const request: ReconcileRequest = {
      runId: randomUUID(),
      dryRun: true,
      force: false,
      ownAccountId,
      defaultRegion: options.region,
      accountIds: [accountId],
      ...(options.regions ? { regions: options.regions } : {}),
    };
    const deps = {
      policy: session.policy,
      directory: { listAccounts: async () => accounts, describeAccounts: async () => accounts },
      regions: session.regions,
      effectivePolicies: session.effectivePolicies,
      inspectorFor: session.inspectorFor,
      // A plan sends nothing; a queue that takes nothing says so if that ever changes.
      queue: { send: async () => ({ sent: 0, undelivered: [] }) },
      progress: session.progress.step,
    };
    const plan = await planRun(request, deps);
    // The account's own EC2 scan configuration: one GetConfiguration (with its accountId) in each region read.
    const scanConfigurations = new Map(
      await Promise.all(
        plan.regions
          .filter((region) => region.error === undefined)
          .map(
            async (region) =>
              [
                region.region,
                await session.inspectorFor(region.region).accountScanConfiguration(accountId, ownAccountId),
              ] as const,
          ),
      ),
    );
    const result = await applyPlan(plan, request, deps);
    session.progress.stop();
    const explanation = explain({
      accountId,
      account: accounts.find((account) => account.id === accountId),
      policy: plan.policy,
      today: utcDay(new Date()),
      outcomes: result.outcomes,
      scanConfigurations,
      administratorAccountId: ownAccountId,
    });
    io.stdout(
      options.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : `${formatExplanation(explanation)}\n`,
    );
    for (const problem of result.problems) io.stderr(`deep-inspection: ${problem.message}\n`);
    if (accounts.every((account) => account.id !== accountId)) {
      io.stderr(
        `deep-inspection: account ${accountId} is not in the organization (Organizations DescribeAccount found none): check the id\n`,
      );
      return EXIT.BAD_INPUT;
    }
    if (result.problems.length === 0) return EXIT.DONE;
    return combinedVerdict(result.problems.map((problem) => problem.verdict)) === 'TRANSIENT'
      ? EXIT.TRANSIENT
      : EXIT.FAILED;
  } finally {
    session.close();
  }
}

import { randomUUID } from 'node:crypto';
import { type FailureMessage, type FailureQueue, SqsFailureQueue } from '../../lambda/reconciler/aws/queue';
import { combinedVerdict } from '../../lambda/reconciler/error-classification';
import {
  applyPlan,
  type Dependencies,
  planRun,
  type ReconcileRequest,
  type RunProblem,
  type RunResult,
} from '../../lambda/reconciler/reconcile';
import { EXIT, type ExitCode } from '../exit-codes';
import { invokedAs, npmSwallowed } from '../npm';
import { type ParsedOptions, resolveCommon } from '../options';
import { formatRun, MAX_LISTED } from '../report';
import { openSession } from '../session';
import type { Io } from '../terminal';
import { type RunView, runView, writesByRegion } from '../view';

/**
 * apply writes deep inspection, never Security Hub findings: the scheduled function owns them (one writer of
 * one product's findings, with its own permissions), and its next run shows what this apply changed.
 */
export const FINDINGS_NOTE =
  'Security Hub findings are not written by apply: the scheduled function’s next run updates them (docs/findings.md).';

/** Keeps failures for the report when no queue is given; the run still says how many there were. */
class PrintedFailures implements FailureQueue {
  readonly messages: FailureMessage[] = [];
  async send(messages: readonly FailureMessage[]) {
    this.messages.push(...messages);
    return { sent: 0, undelivered: [] };
  }
}

/** The exit status of a plan or an apply that ran to its end. */
export function runExitCode(view: RunView, problems: readonly RunProblem[]): ExitCode {
  // Every problem transient (throttled, timed out, a region still being enabled): worth running again as it is.
  if (problems.length > 0) {
    return combinedVerdict(problems.map((problem) => problem.verdict)) === 'TRANSIENT' ? EXIT.TRANSIENT : EXIT.FAILED;
  }
  if (view.guardrail.tripped) return EXIT.HELD_BY_GUARDRAIL;
  return EXIT.DONE;
}

const print = (
  io: Io,
  view: RunView,
  output: string,
  to: 'stdout' | 'stderr' = 'stdout',
  maxListed: number = MAX_LISTED,
) => io[to](output === 'json' ? `${JSON.stringify(view, null, 2)}\n` : `${formatRun(view, { maxListed })}\n`);

function orgPackagePathChanges(view: RunView): string[] {
  return view.regions.filter((region) => region.orgPackagePaths?.changed).map((region) => region.region);
}

/** npm_config_yes is set and the command has no --yes: npm (or npx) took it, and it is never consent. */
function npmTookYes(as: string): string {
  return as.startsWith('npm run')
    ? 'npm took --yes as its own option (npm_config_yes is set); give it to the command after `--`: npm run reconcile -- apply --yes'
    : "npm_config_yes is set (npx --yes, say): that answers npx's own question, not apply's; give --yes after the command: deep-inspection apply --yes";
}

/** The question apply asks: what it will write, where, in numbers a person can check against the table. */
function question(view: RunView): string {
  const activations = view.changes.filter((change) => change.to === 'ACTIVATED').length;
  const deactivations = view.changes.length - activations;
  const regions = [...writesByRegion(view)].map(([region, count]) => `${region} ${count}`).join(', ');
  const paths = orgPackagePathChanges(view);
  const parts = [
    ...(view.changes.length > 0
      ? [
          `deep inspection in ${view.changes.length} account-regions (${activations} to ACTIVATED, ${deactivations} to DEACTIVATED; ${regions})`,
        ]
      : []),
    ...(paths.length > 0 ? [`orgPackagePaths in ${paths.join(', ')}`] : []),
  ];
  return `\nApply this plan? It writes ${parts.join(', and ')}, exactly as listed above: nothing is read again first.\nOnly "yes" applies: `;
}

/**
 * `plan` and `apply`. Both read and plan the same way (reconcile's planRun); plan prints the plan and
 * stops. apply prints it, asks on a terminal (or takes --yes), then applies that very plan
 * (applyPlan): no read between the question and the writes can change what is written.
 * `defaulted`: no command was given, so this plan stands in for whatever the person meant.
 */
export async function planOrApply(
  command: 'plan' | 'apply',
  parsed: ParsedOptions,
  io: Io,
  { defaulted = false }: { defaulted?: boolean } = {},
): Promise<number> {
  const npm = npmSwallowed(io.env);
  const as = invokedAs(io.env);
  const options = resolveCommon(parsed, io.env);
  let writes = command === 'apply';
  if (writes && (parsed.dryRun || npm.dryRun)) {
    writes = false;
    io.stderr(
      parsed.dryRun
        ? '--dry-run: planning only; nothing will be written.\n'
        : 'npm took --dry-run as its own option (npm_config_dry_run is set), so this only plans: nothing will be written. Options for the command go after `--`: npm run reconcile -- plan\n',
    );
  }
  if (writes && !parsed.yes && io.terminal === undefined) {
    io.stderr(
      `apply: not confirmed, nothing written: there is no terminal to ask on. Review with \`${as} plan\`, then run \`${as} apply --yes\` with the same options.\n`,
    );
    if (npm.yes) io.stderr(`${npmTookYes(as)}\n`);
    return EXIT.NOT_CONFIRMED;
  }
  if (writes && !parsed.yes && npm.yes) io.stderr(`${npmTookYes(as)}; so apply asks.\n`);

  const session = await openSession(options, io);
  try {
    const ownAccountId = await session.ownAccountId();
    session.progress.step(`running as account ${ownAccountId}`);
    const printed = new PrintedFailures();
    const runId = randomUUID();
    const request: ReconcileRequest = {
      runId,
      // What its queue messages are keyed by (`cli <run id> <region> <account>`): one run from here, one key.
      guardrailRun: `cli ${runId}`,
      dryRun: !writes,
      force: parsed.force ?? false,
      ownAccountId,
      defaultRegion: options.region,
      ...(options.accounts ? { accountIds: options.accounts } : {}),
      ...(options.regions ? { regions: options.regions } : {}),
    };
    const deps: Dependencies = {
      policy: session.policy,
      directory: session.directory,
      effectivePolicies: session.effectivePolicies,
      regions: session.regions,
      inspectorFor: session.inspectorFor,
      queue: parsed.failedAccountsQueueUrl
        ? new SqsFailureQueue(session.clients.sqs, parsed.failedAccountsQueueUrl)
        : printed,
      progress: session.progress.step,
    };
    const plan = await planRun(request, deps);
    const previewResult = await applyPlan(plan, { ...request, dryRun: true }, deps);
    const preview = runView('plan', previewResult);
    session.progress.stop();

    if (!writes) {
      print(io, preview, options.output);
      reportProblems(io, previewResult);
      if (command === 'plan' && npm.dryRun) {
        io.stderr(
          'npm took --dry-run as its own option (npm_config_dry_run is set): this was a plan, nothing written. Options for the command go after `--`: npm run reconcile -- plan --dry-run\n',
        );
      } else if (defaulted && !parsed.dryRun) {
        io.stderr(`No command given, so this was a plan: nothing written: use \`${as} apply\` to apply it.\n`);
      }
      return runExitCode(preview, previewResult.problems);
    }

    const nothingToWrite = preview.changes.length === 0 && orgPackagePathChanges(preview).length === 0;
    if (nothingToWrite) {
      // An apply's document, for a script that reads `totals.activated`; `written: false` says nothing was.
      print(io, { ...runView('apply', previewResult), written: false }, options.output);
      reportProblems(io, previewResult);
      io.stderr('Nothing to apply: nothing written.\n');
      return runExitCode(preview, previewResult.problems);
    }
    // The person reads the plan before answering; a script with --output json gets one document, the result.
    // Asked to approve a plan, the person sees every change in it, not the first ten.
    const listed = parsed.yes ? MAX_LISTED : Number.POSITIVE_INFINITY;
    if (options.output === 'table') print(io, preview, 'table', 'stdout', listed);
    else if (!parsed.yes) print(io, preview, 'table', 'stderr', listed);
    if (!parsed.yes) {
      const answer = await (io.terminal as NonNullable<Io['terminal']>).ask(question(preview));
      if (answer.trim().toLowerCase() !== 'yes') {
        io.stderr('Not applied: nothing written.\n');
        return EXIT.NOT_CONFIRMED;
      }
    }
    session.progress.expectWrites(writesByRegion(preview));
    const result = await applyPlan(plan, { ...request, dryRun: false }, deps);
    session.progress.stop();
    const applied = runView('apply', result);
    if (options.output === 'table') io.stdout('\nApplied:\n');
    print(io, applied, options.output);
    if (printed.messages.length > 0) {
      const where =
        options.output === 'json'
          ? 'the JSON lists them all'
          : applied.failures.length > MAX_LISTED
            ? `the table lists the first ${MAX_LISTED}; --output json lists them all`
            : 'the table lists them';
      io.stderr(`${printed.messages.length} failures were not queued (no --failed-accounts-queue-url): ${where}.\n`);
    }
    reportProblems(io, result);
    if (plan.policy.findings.securityHub) io.stderr(`${FINDINGS_NOTE}\n`);
    return runExitCode(applied, result.problems);
  } finally {
    session.close();
  }
}

function reportProblems(io: Io, result: RunResult): void {
  for (const problem of result.problems) io.stderr(`deep-inspection: ${problem.message}\n`);
}

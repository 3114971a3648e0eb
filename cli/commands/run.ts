import { randomUUID } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import {
  applyPlan,
  combinedVerdict,
  type Dependencies,
  type FailureMessage,
  type FailureQueue,
  partitionOf,
  planRun,
  type ReconcileRequest,
  type RunPlan,
  type RunProblem,
  type RunResult,
  SqsFailureQueue,
} from '../../lambda/reconciler';
import { UsageError } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import { invokedAs, npmSwallowed } from '../npm';
import { type CommonOptions, type ParsedOptions, resolveCommon } from '../options';
import { formatRun, MAX_LISTED } from '../report';
import { savedPlanOf, writeSavedPlan } from '../saved-plan/file';
import { queueProblem, queueRegion } from '../queue-check';
import { openSession, type Session } from '../session';
import type { Io } from '../terminal';
import { scanConfigurationQuestion } from '../scan-configuration-report';
import { type RunView, runView, scanConfigurationUpdates, writesByRegion } from '../view';

/**
 * apply writes deep inspection, never Security Hub findings: the scheduled function owns them (one writer of
 * one product's findings, with its own permissions), and its next run shows what this apply changed.
 */
export const FINDINGS_NOTE =
  'Security Hub findings are not written by apply: the scheduled function’s next run updates them (docs/findings.md).';

/** Up to this many changes, apply on a terminal lists every one before asking; above, it summarizes them. */
export const LIST_ALL_UP_TO = 50;

/** Keeps failures for the report when no queue is given; the run still says how many there were. */
class PrintedFailures implements FailureQueue {
  readonly messages: FailureMessage[] = [];
  async send(messages: readonly FailureMessage[]) {
    this.messages.push(...messages);
    return { sent: 0, undelivered: [] };
  }
}

/**
 * The exit status of a plan or an apply that ran to its end. `unqueuedFailures`: accounts an apply could not
 * fix and sent to no queue (no --failed-accounts-queue-url): only the printed table holds them, so a script
 * must see 1, not success.
 */
export function runExitCode(view: RunView, problems: readonly RunProblem[], unqueuedFailures = 0): ExitCode {
  // Every problem transient (throttled, timed out, a region still being enabled): worth running again as it is.
  if (problems.length > 0) {
    return combinedVerdict(problems.map((problem) => problem.verdict)) === 'TRANSIENT' ? EXIT.TRANSIENT : EXIT.FAILED;
  }
  if (unqueuedFailures > 0) return EXIT.FAILED;
  if (view.guardrail.tripped) return EXIT.HELD_BY_GUARDRAIL;
  return EXIT.DONE;
}

const print = (
  io: Io,
  view: RunView,
  output: string,
  to: 'stdout' | 'stderr' = 'stdout',
  format: Parameters<typeof formatRun>[1] = {},
) => io[to](output === 'json' ? `${JSON.stringify(view, null, 2)}\n` : `${formatRun(view, format)}\n`);

function orgPackagePathChanges(view: RunView): string[] {
  return view.regions.filter((region) => region.orgPackagePaths?.changed).map((region) => region.region);
}

/** npm_config_yes is set and the command has no --yes: npm (or npx) took it, and it is never consent. */
function npmTookYes(as: string): string {
  return as.startsWith('npm run')
    ? 'npm took --yes as its own option (npm_config_yes is set); give it to the command after `--`: npm run reconcile -- apply --yes'
    : "npm_config_yes is set (npx --yes, say): that answers npx's own question, not apply's; give --yes after the command: deep-inspection apply --yes";
}

/** What a forced apply overrides, said next to the question: the held deactivations, the limit, by how much. */
export function overrideNote(view: RunView): string | undefined {
  const { guardrail } = view;
  if (!guardrail.forced) return undefined;
  const over = guardrail.wouldDeactivate - guardrail.limit;
  return `--force overrides the guardrail: ${guardrail.wouldDeactivate} accounts to DEACTIVATED where guardrails.maxDeactivationsPerRun is ${guardrail.limit}, ${over} over the limit; without --force they would be held back.`;
}

/** The question apply asks: what it will write, where, in numbers a person can check against the table. */
function question(view: RunView): string {
  const activations = view.changes.filter((change) => change.to === 'ACTIVATED').length;
  const deactivations = view.changes.length - activations;
  const regions = [...writesByRegion({ ...view, scanConfigurationChanges: [] })]
    .map(([region, count]) => `${region} ${count}`)
    .join(', ');
  const paths = orgPackagePathChanges(view);
  const scan = scanConfigurationUpdates(view);
  const parts = [
    ...(view.changes.length > 0
      ? [
          `deep inspection in ${view.changes.length} account-regions (${activations} to ACTIVATED, ${deactivations} to DEACTIVATED; ${regions})`,
        ]
      : []),
    ...(scan.length > 0 ? [scanConfigurationQuestion(scan)] : []),
    ...(paths.length > 0 ? [`orgPackagePaths in ${paths.join(', ')}`] : []),
  ];
  const forced = overrideNote(view);
  return `\n${forced === undefined ? '' : `${forced}\n`}Apply this plan? It writes ${parts.join(', and ')}, exactly as listed above: nothing is read again first.\nOnly "yes" applies: `;
}

/**
 * Whether this command is to write, or the exit status that stops it before any AWS call: --dry-run (or
 * npm's) only plans; with no terminal to ask on and no --yes, nothing is read or written.
 */
export function confirmationPath(
  command: 'plan' | 'apply',
  parsed: ParsedOptions,
  io: Io,
): { readonly writes: boolean } | { readonly exit: ExitCode } {
  const npm = npmSwallowed(io.env);
  const as = invokedAs(io.env);
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
    return { exit: EXIT.NOT_CONFIRMED };
  }
  if (writes && !parsed.yes && npm.yes) io.stderr(`${npmTookYes(as)}; so apply asks.\n`);
  return { writes };
}

/**
 * Where `plan --out` may write, checked before anything is read (a plan of an hour's reads is not lost to a
 * typo): its directory exists; it is not the policy file this plan reads (by any spelling of its path); and
 * an existing file there is a saved plan (replaced, as `terraform plan -out` replaces its plan) or empty.
 * Any other file is refused rather than overwritten: the plan is JSON like the policy, cdk.json and
 * package.json beside it, and `--out policy.json` is an easy slip that would replace the policy.
 */
export function checkOutFile(file: string | undefined, policy: CommonOptions['policy']): void {
  if (file === undefined) return;
  const directory = dirname(file);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new UsageError(`--out ${file}: the directory ${directory} does not exist: create it, or give another path`);
  }
  if (!existsSync(file)) {
    if ('file' in policy && resolve(file) === resolve(policy.file)) throw outIsPolicy(file);
    return;
  }
  const stat = statSync(file);
  if (stat.isDirectory()) {
    throw new UsageError(`--out ${file}: is a directory: give a file name in it (plan.json, say)`);
  }
  if ('file' in policy && existsSync(policy.file) && sameFile(stat, statSync(policy.file))) throw outIsPolicy(file);
  if (stat.size > 0 && !isSavedPlan(file)) {
    throw new UsageError(
      `--out ${file}: ${basename(file)} exists and is not a saved plan: nothing was read or written; give another path, or remove it first`,
    );
  }
}

const outIsPolicy = (file: string) =>
  new UsageError(
    `--out ${file}: is the policy file this plan reads; saving the plan there would replace the policy: nothing was read or written; give another path (plan.json, say)`,
  );

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** A file `plan --out` wrote (any format version): a JSON object with `planFormatVersion`. */
function isSavedPlan(file: string): boolean {
  try {
    const document = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
    return typeof document === 'object' && document !== null && 'planFormatVersion' in document;
  } catch {
    return false;
  }
}

/**
 * Every check that can fail before the first write and is not the plan's own: the failed-accounts queue
 * exists. (The endpoint answers and the policy is whole and valid by the time a plan is made.)
 */
export async function checkBeforeWrites(
  session: Session,
  options: CommonOptions,
  parsed: ParsedOptions,
): Promise<void> {
  if (parsed.failedAccountsQueueUrl === undefined) return;
  const problem = await queueProblem(session.sqsIn, options.region, parsed.failedAccountsQueueUrl);
  if (problem !== undefined) {
    throw new UsageError(
      `--failed-accounts-queue-url: ${problem}. Nothing was written. (That it exists is all a read can prove: whether sqs:SendMessage is allowed shows only when a failure is sent.)`,
    );
  }
}

/** The request and the ports of a plan or apply from here: one run id, the queue or the printed list. */
export function runSetup(
  session: Session,
  options: CommonOptions,
  parsed: ParsedOptions,
  { writes, ownAccountId }: { writes: boolean; ownAccountId: string },
) {
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
    // A full verification: the command reads every managed account's scan configuration (it has no 900 s limit).
    scanConfigurationReads: 'all',
  };
  const deps: Dependencies = {
    policy: session.policy,
    directory: session.directory,
    effectivePolicies: session.effectivePolicies,
    regions: session.regions,
    inspectorFor: session.inspectorFor,
    queue: parsed.failedAccountsQueueUrl
      ? new SqsFailureQueue(
          session.sqsIn(queueRegion(parsed.failedAccountsQueueUrl) ?? options.region),
          parsed.failedAccountsQueueUrl,
        )
      : printed,
    progress: session.progress.step,
  };
  return { request, deps, printed };
}

/**
 * `plan` and `apply`. Both read and plan the same way (reconcile's planRun); plan prints the plan (and
 * saves it with --out) and stops. apply prints it, asks on a terminal (or takes --yes), then applies that
 * very plan (applyPlan): no read between the question and the writes can change what is written.
 * `defaulted`: no command was given, so this plan stands in for whatever the person meant.
 */
export async function planOrApply(
  command: 'plan' | 'apply',
  parsed: ParsedOptions,
  io: Io,
  { defaulted = false }: { defaulted?: boolean } = {},
): Promise<number> {
  const options = await resolveCommon(parsed, io.env);
  const path = confirmationPath(command, parsed, io);
  if ('exit' in path) return path.exit;
  checkOutFile(parsed.out, options.policy);
  const session = await openSession(options, io);
  try {
    if (path.writes) await checkBeforeWrites(session, options, parsed);
    const ownAccountId = await session.ownAccountId();
    session.progress.step(`running as account ${ownAccountId}`);
    const setup = runSetup(session, options, parsed, { writes: path.writes, ownAccountId });
    const plan = await planRun(setup.request, setup.deps);
    return await showAndApply({
      ...setup,
      plan,
      session,
      options,
      parsed,
      io,
      command,
      writes: path.writes,
      defaulted,
    });
  } finally {
    session.close();
  }
}

export interface ShowAndApply extends ReturnType<typeof runSetup> {
  readonly plan: RunPlan;
  readonly session: Session;
  readonly options: CommonOptions;
  readonly parsed: ParsedOptions;
  readonly io: Io;
  readonly command: 'plan' | 'apply';
  readonly writes: boolean;
  readonly defaulted?: boolean;
  /** `apply FILE`: where the changes come from, for the summary's "all of them" hint. */
  readonly savedPlanFile?: string;
}

/** After the plan: show it (saving it with --out), or check, ask and apply exactly it. */
export async function showAndApply(run: ShowAndApply): Promise<number> {
  const { plan, request, deps, session, options, parsed, io, printed } = run;
  const as = invokedAs(io.env);
  const npm = npmSwallowed(io.env);
  const previewResult = await applyPlan(plan, { ...request, dryRun: true }, deps);
  const preview = runView('plan', previewResult);
  session.progress.stop();
  warnAccountsNotInOrganization(io, previewResult, options);

  if (!run.writes) {
    print(io, preview, options.output);
    reportProblems(io, previewResult);
    if (parsed.out !== undefined) {
      writeSavedPlan(
        parsed.out,
        savedPlanOf(previewResult, {
          createdAt: new Date(),
          organizationId: await session.organizationId(),
          partition: partitionOf(options.region) ?? 'aws',
          options,
          delegatedAdministrator: request.ownAccountId,
          policy: plan.policy,
        }),
      );
      io.stderr(
        `Plan saved to ${parsed.out} (${preview.changes.length + scanConfigurationUpdates(preview).length} changes):  \`${as} apply ${parsed.out}\` applies exactly it, checking each account is still as planned.\n`,
      );
    }
    if (run.command === 'plan' && npm.dryRun) {
      io.stderr(
        'npm took --dry-run as its own option (npm_config_dry_run is set): this was a plan, nothing written. Options for the command go after `--`: npm run reconcile -- plan --dry-run\n',
      );
    } else if (run.defaulted && !parsed.dryRun) {
      io.stderr(`No command given, so this was a plan: nothing written: use \`${as} apply\` to apply it.\n`);
    }
    return runExitCode(preview, previewResult.problems);
  }

  if (parsed.strict && preview.warnings.length > 0) {
    print(io, preview, options.output, options.output === 'json' ? 'stdout' : 'stderr');
    io.stderr(
      `apply --strict: the policy has ${preview.warnings.length} lint warning${preview.warnings.length === 1 ? '' : 's'} (listed above): nothing written. Fix the policy, or apply without --strict.\n`,
    );
    return EXIT.FAILED;
  }
  const nothingToWrite =
    preview.changes.length === 0 &&
    orgPackagePathChanges(preview).length === 0 &&
    scanConfigurationUpdates(preview).length === 0;
  if (nothingToWrite && !hasFailures(preview)) {
    // An apply's document, for a script that reads `totals.activated`; `written: false` says nothing was.
    print(io, { ...runView('apply', previewResult), written: false }, options.output);
    reportProblems(io, previewResult);
    io.stderr('Nothing to apply: nothing written.\n');
    return runExitCode(preview, previewResult.problems);
  }
  if (nothingToWrite) {
    // Nothing to write, but accounts that failed (a status or a scan configuration that could not be read):
    // the apply step runs on the same plan, which writes what the preview did (nothing: no ledger, the same
    // guardrail), so that its queue step sends them, or the exit status says they were not sent.
    const result = await applyPlan(plan, { ...request, dryRun: false }, deps);
    const applied = { ...runView('apply', result), written: false };
    print(io, applied, options.output);
    reportUnqueued(io, printed, applied, options.output);
    reportProblems(io, result);
    io.stderr('Nothing to apply: nothing written.\n');
    return runExitCode(applied, result.problems, printed.messages.length);
  }
  // The person reads the plan before answering; a script with --output json gets one document, the result.
  // Asked to approve a plan, the person sees every change of a small one; a large one by region, rule and
  // direction with its first lines, and where to read them all.
  const format = parsed.yes
    ? {}
    : preview.changes.length <= LIST_ALL_UP_TO
      ? { maxListed: Number.POSITIVE_INFINITY }
      : { byRule: true, allOf: run.savedPlanFile ?? '--output json, or `plan --out FILE`' };
  if (options.output === 'table') print(io, preview, 'table', 'stdout', format);
  else if (!parsed.yes) print(io, preview, 'table', 'stderr', format);
  const forced = overrideNote(preview);
  if (parsed.yes && forced !== undefined) io.stderr(`${forced}\n`);
  if (!parsed.yes) {
    const answer = await (io.terminal as NonNullable<Io['terminal']>).ask(question(preview));
    // Exactly "yes", as Terraform asks: "YES", "Yes" or " yes " is not it.
    if (answer !== 'yes') {
      io.stderr(
        `Not applied: nothing written${answer.trim().toLowerCase() === 'yes' ? ' (only "yes", exactly, applies)' : ''}.\n`,
      );
      return EXIT.NOT_CONFIRMED;
    }
  }
  session.progress.expectWrites(writesByRegion(preview));
  const result = await applyPlan(plan, { ...request, dryRun: false }, deps);
  session.progress.stop();
  const applied = runView('apply', result);
  if (options.output === 'table') io.stdout('\nApplied:\n');
  print(io, applied, options.output);
  reportUnqueued(io, printed, applied, options.output);
  reportProblems(io, result);
  if (plan.policy.findings.securityHub) io.stderr(`${FINDINGS_NOTE}\n`);
  return runExitCode(applied, result.problems, printed.messages.length);
}

/** Whether a plan has an account that failed, in deep inspection or scan configuration: the queue's to hear of. */
function hasFailures(view: RunView): boolean {
  return view.failures.length > 0 || (view.scanConfigurationChanges ?? []).some((entry) => entry.kind === 'FAILED');
}

/** Failures an apply sent to no queue (no --failed-accounts-queue-url): said, with where they are listed. */
function reportUnqueued(io: Io, printed: PrintedFailures, applied: RunView, output: string): void {
  const count = printed.messages.length;
  if (count === 0) return;
  const listed =
    applied.failures.length + (applied.scanConfigurationChanges ?? []).filter((e) => e.kind === 'FAILED').length;
  const where =
    output === 'json'
      ? 'the JSON lists them all'
      : listed > MAX_LISTED
        ? `the table lists the first ${MAX_LISTED}; --output json lists them all`
        : 'the table lists them';
  io.stderr(
    `${count} ${count === 1 ? 'failure was' : 'failures were'} not queued (no --failed-accounts-queue-url): ${where}; exit ${EXIT.FAILED}.\n`,
  );
}

/** --accounts that the organization does not have: planned as skipped, and said, since it is likely a typo. */
function warnAccountsNotInOrganization(io: Io, result: RunResult, options: CommonOptions): void {
  if (options.accounts === undefined) return;
  const missing = [
    ...new Set(
      result.outcomes
        .filter((outcome) => outcome.kind === 'SKIPPED' && outcome.reason === 'NOT_IN_ORGANIZATION')
        .map((outcome) => outcome.accountId),
    ),
  ];
  if (missing.length === 0) return;
  io.stderr(
    `Warning: --accounts ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the organization (Organizations DescribeAccount): nothing is planned there; check the id${missing.length === 1 ? '' : 's'}.\n`,
  );
}

function reportProblems(io: Io, result: RunResult): void {
  for (const problem of result.problems) io.stderr(`deep-inspection: ${problem.message}\n`);
}

import { writeFileSync } from 'node:fs';
import {
  isChange,
  type Outcome,
  type Policy,
  problemsFrom,
  readPolicyFile,
  type RunResult,
  syntaxProblem,
} from '../../lambda/reconciler';
import { UsageError } from '../errors';
import type { CommonOptions } from '../options';
import { PLAN_FORMAT_VERSION, PLAN_MAX_AGE_HOURS, policyDigest, type SavedPlan, savedPlanSchema } from './schema';

const HOUR_MS = 3_600_000;
/** Clocks of the machine that planned and the one that applies may differ this much. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** What a plan is saved with besides its result: who planned, where, from which policy. */
export interface PlanContext {
  readonly createdAt: Date;
  readonly organizationId: string;
  readonly partition: string;
  readonly options: CommonOptions;
  readonly delegatedAdministrator: string;
  readonly policy: Policy;
}

/** Pure: the saved plan of a plan's (dry run's) result: its changes after the guardrail, each with its state. */
export function savedPlanOf(preview: RunResult, context: PlanContext): SavedPlan {
  const changes = preview.outcomes
    .filter(isChange)
    .map((change: Extract<Outcome, { kind: 'ACTIVATE' | 'DEACTIVATE' }>) => ({
      accountId: change.accountId,
      region: change.region,
      rule: change.rule ?? 'default',
      from: change.from,
      to: change.to,
    }));
  const { policy, options } = context;
  return {
    planFormatVersion: PLAN_FORMAT_VERSION,
    createdAt: context.createdAt.toISOString(),
    organizationId: context.organizationId,
    partition: context.partition,
    homeRegion: options.region,
    delegatedAdministrator: context.delegatedAdministrator,
    policy: {
      source: options.policy,
      ...(policy.origin === undefined ? {} : { origin: policy.origin }),
      version: policy.version,
      sha256: policyDigest(policy),
    },
    scope: {
      regions: preview.summary.regions.map((region) => region.region),
      ...(options.accounts === undefined ? {} : { accounts: [...options.accounts] }),
    },
    changes,
    orgPackagePaths: preview.summary.regions.flatMap((region) =>
      region.orgPackagePaths?.changed
        ? [{ region: region.region, from: [...region.orgPackagePaths.from], to: [...region.orgPackagePaths.to] }]
        : [],
    ),
    held: preview.outcomes
      .filter((outcome) => outcome.kind === 'SKIPPED' && outcome.reason === 'DEACTIVATION_HELD_BY_GUARDRAIL')
      .map((outcome) => ({ accountId: outcome.accountId, region: outcome.region, rule: outcome.rule ?? 'default' })),
    ...scanConfigurationOf(preview),
  };
}

/** The plan's scan configuration updates and the narrowing its guardrail held, when the policy manages any. */
function scanConfigurationOf(
  preview: RunResult,
): Pick<SavedPlan, 'scanConfigurationChanges' | 'scanConfigurationHeld'> {
  const listed = preview.summary.scanConfigurationChanges;
  if (listed === undefined) return {};
  return {
    scanConfigurationChanges: listed.flatMap((entry) =>
      entry.kind === 'UPDATE' && entry.write !== undefined
        ? [{ accountId: entry.accountId, region: entry.region, write: entry.write, changes: [...entry.changes] }]
        : [],
    ),
    scanConfigurationHeld: listed
      .filter((entry) => entry.kind === 'SKIPPED' && entry.reason === 'NARROWING_HELD_BY_GUARDRAIL')
      .map((entry) => ({ accountId: entry.accountId, region: entry.region })),
  };
}

export function writeSavedPlan(file: string, plan: SavedPlan): void {
  try {
    writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
  } catch (cause) {
    throw new UsageError(
      `--out ${file}: cannot write it (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}): give a path in a directory that exists and is writable`,
      { cause },
    );
  }
}

/** The saved plan in `file`, validated; a UsageError naming the file and each problem (JSON path, line) otherwise. */
export function readSavedPlan(file: string): SavedPlan {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readPolicyFile(file));
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    const detail =
      code === 'EISDIR'
        ? 'is a directory'
        : error instanceof Error && 'problems' in error
          ? (error as { problems: { message: string }[] }).problems[0]?.message
          : 'not UTF-8';
    throw new UsageError(`plan file ${file}: ${detail}: give the file \`plan --out\` wrote`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    const problem = syntaxProblem(text, cause as Error);
    throw new UsageError(
      `plan file ${file}${problem.line === undefined ? '' : ` (line ${problem.line}, column ${problem.column})`}: ${problem.message}`,
      { cause },
    );
  }
  if (looksLikePolicy(document)) {
    throw new UsageError(
      `plan file ${file} is a policy, not a saved plan: to plan and apply it, \`apply --policy-file ${file}\`; to apply a saved plan, give the file \`plan --out\` wrote`,
    );
  }
  const version = (document as { planFormatVersion?: unknown } | null)?.planFormatVersion;
  if (typeof document === 'object' && document !== null && version !== PLAN_FORMAT_VERSION) {
    throw new UsageError(
      `plan file ${file}: $.planFormatVersion ${JSON.stringify(version)} is not a plan format this version reads (${PLAN_FORMAT_VERSION}): plan again with this version`,
    );
  }
  const result = savedPlanSchema.safeParse(document);
  if (!result.success) {
    const problems = problemsFrom(result.error, { schema: savedPlanSchema, input: document });
    throw new UsageError(
      `plan file ${file} is not a saved plan: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}\nGive the file \`plan --out\` wrote, unedited.`,
    );
  }
  return result.data;
}

/** A policy document (its `version` and `default` or `rules`, no `planFormatVersion`): the likeliest wrong file. */
function looksLikePolicy(document: unknown): boolean {
  if (typeof document !== 'object' || document === null || 'planFormatVersion' in document) return false;
  return 'version' in document && ('default' in document || 'rules' in document);
}

/** Pure: why the saved plan cannot be applied here and now; empty when it can. */
export function savedPlanProblems(
  saved: SavedPlan,
  here: {
    readonly now: Date;
    readonly partition?: string;
    readonly organizationId?: string;
    readonly ownAccountId?: string;
    readonly policy?: Policy;
  },
): string[] {
  const problems: string[] = [];
  const age = here.now.getTime() - Date.parse(saved.createdAt);
  if (age > PLAN_MAX_AGE_HOURS * HOUR_MS) {
    problems.push(
      `it was made ${saved.createdAt}, more than ${PLAN_MAX_AGE_HOURS} hours ago: plan again (the state it was planned from has had time to change)`,
    );
  }
  if (age < -CLOCK_SKEW_MS) problems.push(`it was made ${saved.createdAt}, in the future: check this machine's clock`);
  if (here.partition !== undefined && here.partition !== saved.partition) {
    problems.push(
      `it was planned in the ${saved.partition} partition; this runs in ${here.partition}: apply it with --region ${saved.homeRegion}`,
    );
  }
  if (here.organizationId !== undefined && here.organizationId !== saved.organizationId) {
    problems.push(
      `it was planned in organization ${saved.organizationId}; these credentials are in ${here.organizationId}: use the delegated administrator's credentials of ${saved.organizationId}`,
    );
  }
  if (here.ownAccountId !== undefined && here.ownAccountId !== saved.delegatedAdministrator) {
    problems.push(
      `it was planned as account ${saved.delegatedAdministrator}; these credentials are account ${here.ownAccountId}: apply it with the credentials it was planned with, or plan again`,
    );
  }
  if (here.policy !== undefined) problems.push(...policyProblems(saved, here.policy));
  return problems;
}

const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

/** The policy is the one planned with (its hash), and the package paths the plan writes are the policy's. */
function policyProblems(saved: SavedPlan, policy: Policy): string[] {
  if (policy.version !== saved.policy.version) {
    return [
      `it was planned with a version ${saved.policy.version} policy; the policy is now version ${policy.version}: plan again`,
    ];
  }
  const digest = policyDigest(policy);
  if (digest !== saved.policy.sha256) {
    return [
      `the policy (${policy.origin === undefined ? '' : `${policy.origin}, `}sha256 ${short(digest)}) is not the one it was planned with sha256 ${short(saved.policy.sha256)}${saved.policy.origin === undefined ? '' : ` (${saved.policy.origin})`}: its meaning changed since the plan, or the plan was edited: plan again`,
    ];
  }
  // The same policy: package paths the plan writes that are not the policy's can only be an edit of the plan.
  const wanted = policy.orgPackagePaths ?? [];
  return saved.orgPackagePaths
    .filter((paths) => JSON.stringify(paths.to) !== JSON.stringify(wanted))
    .map(
      (paths) =>
        `orgPackagePaths in ${paths.region}: the plan writes ${JSON.stringify(paths.to)}; the policy says ${JSON.stringify(wanted)}: the plan was edited: plan again`,
    );
}

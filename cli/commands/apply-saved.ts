import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { partitionOf, planRun } from '../../lambda/reconciler';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { MAX_LISTED } from '../report';
import { type ParsedOptions, resolveCommon } from '../options';
import { readSavedPlan, savedPlanProblems } from '../saved-plan/file';
import { holdToSavedPlan } from '../saved-plan/hold';
import { openSession } from '../session';
import type { Io } from '../terminal';
import { checkBeforeWrites, confirmationPath, runSetup, showAndApply } from './run';

/** What a saved plan fixes, and so what `apply FILE` does not take. */
const FIXED_BY_THE_PLAN = ['policyFile', 'policyParameter', 'policyParameterTier', 'regions', 'accounts'] as const;

/** Planned changes already made: all of them is a plan applied before; a few, someone else's doing. */
function alreadyNote(already: readonly { accountId: string; region: string }[], planned: number): string {
  if (already.length === planned) {
    return `Already as planned or under way (PENDING), nothing to write: all ${planned} of the plan's changes (was it applied already?)`;
  }
  const listed = already.slice(0, MAX_LISTED).map((entry) => `${entry.region} ${entry.accountId}`);
  const more = already.length > MAX_LISTED ? `, ${already.length - MAX_LISTED} more` : '';
  return `Already as planned or under way (PENDING), nothing to write: ${already.length} of the plan's ${planned} changes (${listed.join(', ')}${more})`;
}

/**
 * `apply FILE`: applies exactly the changes `plan --out FILE` saved. It refuses a plan that is too old,
 * or of another policy, organization or partition; reads the state again, and leaves alone (reporting
 * it) every account that is no longer where the plan found it; then asks as apply does (or takes --yes).
 * The guardrail still applies.
 */
export async function applySavedPlan(file: string, parsed: ParsedOptions, io: Io): Promise<number> {
  const given = FIXED_BY_THE_PLAN.filter(
    (key) => parsed[key] !== undefined && !(key === 'policyParameterTier' && parsed[key] === 'Standard'),
  );
  if (given.length > 0) {
    const flags = given.map((key) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
    throw new UsageError(
      `apply ${file}: ${flags.join(', ')} cannot be given with a saved plan: the plan fixes its policy and scope; leave ${flags.length === 1 ? 'it' : 'them'} out, or plan again with ${flags.length === 1 ? 'it' : 'them'}`,
    );
  }
  const saved = readSavedPlan(file);
  const stale = savedPlanProblems(saved, { now: new Date() });
  if (stale.length > 0) throw new UsageError(`plan file ${file} cannot be applied: ${stale.join('; ')}`);
  const source = saved.policy.source;
  if ('file' in source && !existsSync(source.file)) {
    // The plan keeps the path as `plan` was given it: relative to where plan ran, as in a CI checkout.
    throw new UsageError(
      isAbsolute(source.file)
        ? `plan file ${file}: the policy file the plan names, ${source.file}, does not exist: restore it, or plan again`
        : `plan file ${file}: the policy file the plan names, ${source.file}, is read relative to the directory apply runs in (${process.cwd()}) and is not there: run apply in the directory plan ran in, or plan again with an absolute --policy-file`,
    );
  }
  const options = await resolveCommon(
    {
      ...parsed,
      region: parsed.region ?? saved.homeRegion,
      ...('file' in source
        ? { policyFile: source.file, policyParameterTier: source.tier }
        : { policyParameter: source.parameter }),
      regions: saved.scope.regions,
      ...(saved.scope.accounts === undefined ? {} : { accounts: saved.scope.accounts }),
    },
    io.env,
  );
  const elsewhere = savedPlanProblems(saved, { now: new Date(), partition: partitionOf(options.region) ?? 'aws' });
  if (elsewhere.length > 0) throw new UsageError(`plan file ${file} cannot be applied: ${elsewhere.join('; ')}`);
  const path = confirmationPath('apply', parsed, io);
  if ('exit' in path) return path.exit;

  const session = await openSession(options, io);
  try {
    const organizationId = await session.organizationId();
    const ownAccountId = await session.ownAccountId();
    if (path.writes) await checkBeforeWrites(session, options, parsed);
    const setup = runSetup(session, options, parsed, { writes: path.writes, ownAccountId });
    const fresh = await planRun(setup.request, setup.deps);
    const refused = savedPlanProblems(saved, { now: new Date(), organizationId, ownAccountId, policy: fresh.policy });
    if (refused.length > 0) throw new UsageError(`plan file ${file} cannot be applied: ${refused.join('; ')}`);
    const { plan, drifts, already, held } = holdToSavedPlan(fresh, saved);
    // Said before the plan and its question: the person answers knowing what the saved plan no longer holds.
    for (const drift of drifts) {
      io.stderr(
        `Changed since the plan, left alone: ${drift.region}${drift.accountId ? ` ${drift.accountId}` : ''}: ${drift.message}\n`,
      );
    }
    const planned = saved.changes.length + (saved.scanConfigurationChanges?.length ?? 0);
    if (already.length > 0) io.stderr(`${alreadyNote(already, planned)}\n`);
    if (held.length > 0) {
      io.stderr(
        `Held back by the guardrail when planned, so not in the plan: ${held.length} changes to DEACTIVATED, left alone; to apply them, \`plan --force --out FILE\`, review it, and apply that plan.\n`,
      );
    }
    const status = await showAndApply({
      ...setup,
      plan,
      session,
      options,
      parsed,
      io,
      command: 'apply',
      writes: path.writes,
      savedPlanFile: file,
    });
    if (status !== EXIT.DONE) return status;
    return drifts.length > 0 ? EXIT.FAILED : held.length > 0 ? EXIT.HELD_BY_GUARDRAIL : status;
  } finally {
    session.close();
  }
}

import {
  type DelegatedAdministratorAnswer,
  describeError,
  lintPolicy,
  type LintWarning,
  utcDay,
} from '../../lambda/reconciler';
import { endpointSettingProblem } from '../endpoint';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { type ParsedOptions, resolveCommon } from '../options';
import { FilePolicySource } from '../policy-file';
import { formatLint } from '../report';
import { resolveProfile } from '../profile';
import { credentialsAvailable, openSession } from '../session';
import type { Io } from '../terminal';

/** What only the organization can tell, and so what lint without AWS leaves out. */
const ORGANIZATION_CHECKS =
  "the accounts and OUs the policy names that the organization does not have, rules no account can reach through the OU tree, regions this account has not enabled, regions where it is not Inspector's delegated administrator";

/**
 * `lint`: what in the policy will not do what it says: rules that can never match, expired rules and
 * rules expiring soon, and, against the organization, accounts and OUs it does not have and regions
 * this account has not enabled. Writes nothing.
 *
 * Offline (`--offline`, or by itself when no AWS credentials can be found) it runs every check that
 * needs no organization (syntax, schema, expiry, reachability by ids) and makes no AWS call, so a
 * policy repository's CI can run it; it says which checks it skipped. `--strict` applies to what ran.
 */
export async function lintCommand(parsed: ParsedOptions, io: Io): Promise<number> {
  if (parsed.offline) {
    if (parsed.policyParameter !== undefined) {
      throw new UsageError('--offline reads the policy from a file: give --policy-file (a parameter needs AWS)');
    }
    return lintOffline(parsed, io, '--offline');
  }
  // A profile that does not exist, or an AWS_ENDPOINT_URL the SDK cannot use, is refused here as in every
  // command, before any fallback to offline.
  const endpoint = endpointSettingProblem(io.env);
  if (endpoint !== undefined) throw new UsageError(endpoint);
  const profile = await resolveProfile(parsed.profile, io.env);
  const region = parsed.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? profile.region;
  if (parsed.policyParameter === undefined) {
    const missing =
      region === undefined
        ? 'no region (--region or AWS_REGION)'
        : await credentialsAvailable(region, io.env, profile.name, parsed.profile);
    // A profile the person named that fails (an expired SSO session, say) is an error to fix, not a reason
    // to drop the organization checks quietly: offline by itself only where no credentials are set up.
    if (missing !== undefined && region !== undefined && profile.name !== undefined) {
      throw new UsageError(`${missing}; or lint without the organization checks: add --offline`);
    }
    if (missing !== undefined) return lintOffline(parsed, io, missing);
  }
  const options = await resolveCommon(parsed, io.env);
  const session = await openSession(options, io);
  try {
    const policy = await session.policy.load();
    const regions = policy.regions ?? [options.region];
    const [accounts, regionOptStatuses, ownAccountId, answers] = await Promise.all([
      session.directory.listAccounts({ withAncestors: true }),
      session.regions.optStatuses(),
      session.ownAccountId(),
      Promise.all(regions.map((name) => session.inspectorFor(name).delegatedAdministrator())),
    ]);
    session.progress.stop();
    const byRegion = new Map(regions.map((name, index) => [name, answers[index] as DelegatedAdministratorAnswer]));
    const warnings = lintPolicy(policy, {
      today: utcDay(new Date()),
      accounts,
      regionOptStatuses,
      administrators: { ownAccountId, byRegion },
    });
    const status = report(warnings, parsed, io);
    // GetDelegatedAdminAccount could not answer there: say the check did not run (a run reads the members instead).
    const unanswered = [...byRegion].filter(([, answer]) => 'error' in answer);
    if (unanswered.length > 0) {
      io.stderr(
        `The delegated administrator check was skipped in ${unanswered.map(([name]) => name).join(', ')}: ` +
          `GetDelegatedAdminAccount failed (${unanswered.map(([, answer]) => ('error' in answer ? describeError(answer.error) : '')).join('; ')}); a run still checks it from the member reads.\n`,
      );
    }
    if (regionOptStatuses.listed || (policy.regions ?? []).length === 0) return status;
    // Which regions this account has enabled could not be read: say the check did not run, never "no warnings" for it.
    io.stderr(
      `The regions check was skipped: Account Management ListRegions failed (${regionOptStatuses.error}); ` +
        'grant account:ListRegions, or run again.\n',
    );
    if (status !== EXIT.DONE) return status;
    if (regionOptStatuses.verdict === 'TRANSIENT') return EXIT.TRANSIENT;
    return parsed.strict ? EXIT.FAILED : EXIT.DONE;
  } finally {
    session.close();
  }
}

async function lintOffline(parsed: ParsedOptions, io: Io, why: string): Promise<number> {
  const policy = await new FilePolicySource(
    parsed.policyFile ?? 'policy.json',
    parsed.policyParameterTier ?? 'Standard',
  ).load();
  const warnings = lintPolicy(policy, { today: utcDay(new Date()) });
  io.stderr(
    `Offline (${why}): no AWS call made; the organization checks were skipped: ${ORGANIZATION_CHECKS}. ` +
      'With credentials for the delegated administrator and no --offline, lint runs them all.\n',
  );
  return report(warnings, parsed, io);
}

function report(warnings: readonly LintWarning[], parsed: ParsedOptions, io: Io): number {
  io.stdout(parsed.output === 'json' ? `${JSON.stringify(warnings, null, 2)}\n` : `${formatLint(warnings)}\n`);
  return parsed.strict && warnings.length > 0 ? EXIT.FAILED : EXIT.DONE;
}

import { utcDay } from '../../lambda/reconciler/expiry';
import { lintPolicy } from '../../lambda/reconciler/policy-lint';
import { EXIT } from '../exit-codes';
import { type ParsedOptions, resolveCommon } from '../options';
import { formatLint } from '../report';
import { openSession } from '../session';
import type { Io } from '../terminal';

/**
 * `lint`: what in the policy will not do what it says, against the organization: rules that can
 * never match, accounts and OUs it does not have, expired rules, rules expiring soon. Writes nothing.
 */
export async function lintCommand(parsed: ParsedOptions, io: Io): Promise<number> {
  const options = resolveCommon(parsed, io.env);
  const session = await openSession(options, io);
  try {
    const policy = await session.policy.load();
    const [accounts, regionOptStatuses] = await Promise.all([
      session.directory.listAccounts({ withAncestors: true }),
      session.regions.optStatuses(),
    ]);
    session.progress.stop();
    const warnings = lintPolicy(policy, { today: utcDay(new Date()), accounts, regionOptStatuses });
    io.stdout(options.output === 'json' ? `${JSON.stringify(warnings, null, 2)}\n` : `${formatLint(warnings)}\n`);
    return parsed.strict && warnings.length > 0 ? EXIT.FAILED : EXIT.DONE;
  } finally {
    session.close();
  }
}

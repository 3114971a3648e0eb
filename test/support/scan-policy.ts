import type { Policy, PolicyRule } from '../../lambda/reconciler/policy/schema';

/**
 * A version 3 policy built as the planner reads it (typed Policy): the run's tests do not depend on the
 * policy parser's version 3 support. Defaults as the parser gives them.
 */
export function scanPolicy(
  overrides: Partial<Omit<Policy, 'rules'>> & { rules?: readonly (Partial<PolicyRule> & { name: string })[] } = {},
): Policy {
  const { rules = [], ...rest } = overrides;
  return {
    version: 3,
    default: { deepInspection: 'UNMANAGED', enforcement: 'enforce' },
    guardrails: { maxDeactivationsPerRun: 50, maxDeactivationsPerDay: 100 },
    warnBeforeExpiryDays: 14,
    findings: { securityHub: false },
    ...rest,
    rules: rules.map((rule) => ({ enforcement: 'enforce', ...rule })),
  };
}

import type { Outcome } from './model';

export interface GuardrailVerdict {
  readonly limit: number;
  /** Distinct accounts the run would deactivate, across all regions. */
  readonly wouldDeactivate: number;
  /** True when deactivations were held back. */
  readonly tripped: boolean;
  /** True when the limit was exceeded but the invocation said `force`. */
  readonly forced: boolean;
}

/**
 * Holds back every deactivation when a run would deactivate more accounts than the policy allows,
 * unless forced: a typo in a policy must never switch deep inspection off across an organization.
 * Activations are never held. Pure.
 */
export function applyGuardrail(
  outcomes: readonly Outcome[],
  limit: number,
  force: boolean,
): { outcomes: Outcome[]; verdict: GuardrailVerdict } {
  const deactivated = new Set(outcomes.filter((o) => o.kind === 'DEACTIVATE').map((o) => o.accountId));
  const exceeded = deactivated.size > limit;
  const tripped = exceeded && !force;
  const verdict = { limit, wouldDeactivate: deactivated.size, tripped, forced: exceeded && force };
  if (!tripped) return { outcomes: [...outcomes], verdict };
  const detail = `would deactivate ${deactivated.size} accounts, more than guardrails.maxDeactivationsPerRun (${limit}); invoke with "force": true to apply`;
  return {
    verdict,
    outcomes: outcomes.map((o): Outcome =>
      o.kind === 'DEACTIVATE'
        ? {
            kind: 'SKIPPED',
            accountId: o.accountId,
            region: o.region,
            rule: o.rule,
            reason: 'DEACTIVATION_HELD_BY_GUARDRAIL',
            detail,
          }
        : o,
    ),
  };
}

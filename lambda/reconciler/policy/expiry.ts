import type { PolicyRule } from './schema';

/** Rule expiry, decided from a day passed in: nothing here reads a clock. */

const DAY_MS = 86_400_000;

/** The UTC day of an instant, as `YYYY-MM-DD`: the unit rules expire in. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** A rule matches through its `expires` day (UTC) and never after it. */
export function isExpired(rule: Pick<PolicyRule, 'expires'>, today: string): boolean {
  return rule.expires !== undefined && today > rule.expires;
}

/** Whole days from `today` to the rule's last day: 0 on that day, negative once it has expired. */
export function daysLeft(rule: Pick<PolicyRule, 'expires'>, today: string): number | undefined {
  if (rule.expires === undefined) return undefined;
  return Math.round((Date.parse(rule.expires) - Date.parse(today)) / DAY_MS);
}

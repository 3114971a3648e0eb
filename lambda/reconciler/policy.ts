import * as z from 'zod';
import { PolicyError, type Problem } from './errors';
import { accountIdSchema, distinct, ORGANIZATIONAL_UNIT_ID, PACKAGE_PATH, ROOT_ID, regionSchema } from './ids';
import { problemsFrom } from './validation';

/** What the policy asks for an account. UNMANAGED leaves it exactly as it is. */
export const DESIRED_STATES = ['ACTIVATED', 'DEACTIVATED', 'UNMANAGED'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** Inspector's documented limits for UpdateOrgEc2DeepInspectionConfiguration. */
export const MAX_ORG_PACKAGE_PATHS = 5;
export const MAX_PACKAGE_PATH_LENGTH = 512;
export const DEFAULT_MAX_DEACTIVATIONS_PER_RUN = 50;

const desiredStateSchema = z.enum(DESIRED_STATES, {
  error: (issue) =>
    issue.input === undefined
      ? `is required: one of ${DESIRED_STATES.join(', ')}`
      : `${JSON.stringify(issue.input)} is not one of ${DESIRED_STATES.join(', ')}`,
});

const organizationalUnitOrRootId = z
  .string({ error: 'must be a string' })
  .refine((id) => ORGANIZATIONAL_UNIT_ID.test(id) || ROOT_ID.test(id), {
    error: (issue) => `${JSON.stringify(issue.input)} is not an organizational unit id (ou-…) or root id (r-…)`,
  });

const ruleSchema = z
  .strictObject({
    name: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters'),
    accounts: distinct(accountIdSchema, 'account id').min(1, 'must not be empty').optional(),
    organizationalUnits: distinct(organizationalUnitOrRootId, 'organizational unit id')
      .min(1, 'must not be empty')
      .optional(),
    deepInspection: desiredStateSchema,
  })
  .refine((rule) => rule.accounts !== undefined || rule.organizationalUnits !== undefined, {
    error: 'a rule must name "accounts", "organizationalUnits" or both',
  });

const packagePathSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_PACKAGE_PATH_LENGTH, `must be at most ${MAX_PACKAGE_PATH_LENGTH} characters`)
  .refine((path) => path.startsWith('/'), {
    error: (issue) => `${JSON.stringify(issue.input)} is not an absolute path`,
  })
  .refine((path) => !path.startsWith('/') || PACKAGE_PATH.test(path), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a path Inspector accepts: segments of letters, digits, "_" and "-" with at most one ".suffix", no empty, "." or ".." segments`,
  });

export const policySchema = z.strictObject({
  version: z.literal(1, {
    error: (issue) =>
      issue.input === undefined
        ? 'is required: 1'
        : `unknown policy version ${JSON.stringify(issue.input)}; this function reads version 1`,
  }),
  default: desiredStateSchema,
  regions: distinct(regionSchema, 'region').min(1, 'must not be empty').optional(),
  rules: z.array(ruleSchema, { error: 'must be an array' }).default([]),
  orgPackagePaths: distinct(packagePathSchema, 'path')
    .max(MAX_ORG_PACKAGE_PATHS, `at most ${MAX_ORG_PACKAGE_PATHS} paths`)
    .optional(),
  guardrails: z
    .strictObject({
      maxDeactivationsPerRun: z
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must not be negative')
        .default(DEFAULT_MAX_DEACTIVATIONS_PER_RUN),
    })
    .default({ maxDeactivationsPerRun: DEFAULT_MAX_DEACTIVATIONS_PER_RUN }),
});

export type Policy = z.output<typeof policySchema>;
export type PolicyRule = Policy['rules'][number];

/**
 * Validates a parsed policy document and reports every problem at once, each with its JSON path.
 * @param source where the document came from, named in the error (a parameter name or a file path)
 */
export function validatePolicy(document: unknown, source: string): Policy {
  const result = policySchema.safeParse(document);
  // Checked on the raw document so that it is reported alongside every other problem:
  // zod skips refinements of an object whose fields already have issues.
  const problems = [...(result.success ? [] : problemsFrom(result.error)), ...duplicateRuleNames(document)];
  if (problems.length > 0 || !result.success) throw new PolicyError(source, problems);
  return result.data;
}

function duplicateRuleNames(document: unknown): Problem[] {
  const rules = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return [];
  const firstIndexByName = new Map<string, number>();
  return rules.flatMap((rule: unknown, index): Problem[] => {
    const name = (rule as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return [];
    const first = firstIndexByName.get(name);
    if (first === undefined) {
      firstIndexByName.set(name, index);
      return [];
    }
    return [
      {
        path: `$.rules[${index}].name`,
        message: `duplicate rule name ${JSON.stringify(name)} (first used by $.rules[${first}])`,
      },
    ];
  });
}

/** Parses and validates the policy text as stored in SSM or in a file. */
export function parsePolicy(text: string | undefined, source: string): Policy {
  if (text === undefined || text.trim() === '') {
    throw new PolicyError(source, [{ path: '$', message: 'the policy is empty' }]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new PolicyError(source, [{ path: '$', message: `not valid JSON: ${(cause as Error).message}` }], {
      cause,
    });
  }
  return validatePolicy(document, source);
}

/** True when some rule names an organizational unit, so account ancestry must be resolved. Root ids match everything. */
export function needsOrganizationalUnits(policy: Policy): boolean {
  return policy.rules.some((rule) => rule.organizationalUnits?.some((id) => ORGANIZATIONAL_UNIT_ID.test(id)));
}

import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  accountIdSchema,
  PARAMETER_TIERS,
  type Policy,
  regionProblem,
  SCAN_CONFIGURATION_WRITES,
  SCAN_SETTINGS,
} from '../../lambda/reconciler';

/**
 * The saved plan (`plan --out FILE`, `apply FILE`): what was planned, from which state, under which
 * policy, organization and partition. Versioned: `planFormatVersion` rises when a field changes meaning
 * or goes; a reader refuses a version it does not know. docs/plan.schema.json is generated from it.
 */
export const PLAN_FORMAT_VERSION = 1;
/** How long a saved plan may wait before `apply FILE` refuses it: state drifts, reviews go stale. */
export const PLAN_MAX_AGE_HOURS = 24;

const region = z
  .string({ error: 'must be a string' })
  .superRefine((name, ctx) => {
    const problem = regionProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'An AWS Region name, such as us-east-1' });
const state = z.enum(['ACTIVATED', 'DEACTIVATED', 'PENDING', 'FAILED']);
const target = z.enum(['ACTIVATED', 'DEACTIVATED']);

export const savedPlanSchema = z.strictObject({
  $schema: z.string().optional(),
  planFormatVersion: z.literal(PLAN_FORMAT_VERSION, { error: `must be ${PLAN_FORMAT_VERSION}` }),
  createdAt: z.iso.datetime({ error: 'must be an ISO 8601 UTC time' }).meta({ description: 'When the plan was made' }),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id (o-…)')
    .meta({ description: 'The AWS Organizations organization it was planned in (DescribeOrganization)' }),
  partition: z.string().min(1).meta({ description: 'aws, aws-cn, aws-us-gov, …: of the home region' }),
  homeRegion: region,
  delegatedAdministrator: accountIdSchema.meta({ description: 'The account the plan was made as' }),
  policy: z.strictObject({
    source: z
      .union([
        z.strictObject({ file: z.string().min(1), tier: z.enum(PARAMETER_TIERS) }),
        z.strictObject({ parameter: z.string().min(1) }),
      ])
      .meta({ description: 'Where apply reads the policy again: a file (and its tier) or an SSM parameter' }),
    origin: z.string().optional().meta({ description: 'As read: `file …` or `SSM parameter … version N`' }),
    version: z.union([z.literal(1), z.literal(2), z.literal(3)]).meta({ description: "The policy's own `version`" }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')
      .meta({ description: 'SHA-256 of the validated policy: apply refuses the plan if the policy is not the same' }),
  }),
  scope: z.strictObject({
    regions: z.array(region).min(1).meta({ description: 'The regions planned' }),
    accounts: z.array(accountIdSchema).optional().meta({ description: '--accounts, when the plan was limited' }),
  }),
  changes: z
    .array(
      z.strictObject({
        accountId: accountIdSchema,
        region,
        rule: z.string().meta({ description: 'The rule that decided it, or "default"' }),
        from: state.meta({ description: 'Deep inspection as Inspector reported it when planned' }),
        to: target,
      }),
    )
    .meta({ description: 'Every deep-inspection change the plan writes, each with the state it was planned from' }),
  orgPackagePaths: z
    .array(z.strictObject({ region, from: z.array(z.string()), to: z.array(z.string()) }))
    .meta({ description: 'Regions whose organization package paths the plan replaces, with what they were' }),
  scanConfigurationChanges: z
    .array(
      z.strictObject({
        accountId: accountIdSchema,
        region,
        write: z.enum(SCAN_CONFIGURATION_WRITES).meta({
          description:
            'MEMBER (UpdateConfiguration with accountId), INHERIT_FROM_ADMIN, or ADMINISTRATOR (the administrator configuration, reaching every member that inherits it)',
        }),
        changes: z
          .array(
            z.strictObject({
              setting: z.enum(SCAN_SETTINGS),
              from: z.string().optional().meta({ description: 'As GetConfiguration read it when planned' }),
              to: z.string(),
              rule: z.string().meta({ description: 'The rule that decided it, or "default" (scanConfiguration)' }),
            }),
          )
          .min(1),
      }),
    )
    .optional()
    .meta({ description: 'Every EC2 scan configuration update the plan writes, each with what it was planned from' }),
  scanConfigurationHeld: z
    .array(z.strictObject({ accountId: accountIdSchema, region }))
    .optional()
    .meta({
      description: 'Scan configuration narrowing the guardrail held back when planning: never written by this plan',
    }),
  held: z
    .array(z.strictObject({ accountId: accountIdSchema, region, rule: z.string() }))
    .optional()
    .meta({
      description:
        'Deactivations the guardrail held back when planning: not in `changes`, never written by this plan; `apply FILE --force` reports them as held',
    }),
});

export type SavedPlan = z.output<typeof savedPlanSchema>;

/** The policy's identity in a plan: a hash of the validated policy, so a byte order mark or spacing does not change it. */
export function policyDigest(policy: Policy): string {
  const { origin: _origin, ...meaning } = policy;
  return createHash('sha256').update(JSON.stringify(meaning)).digest('hex');
}

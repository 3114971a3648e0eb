import * as z from 'zod';
import { InvocationError } from './errors/errors';
import { ACCOUNT_ID, accountIdSchema, distinct, regionSchema } from './ids';
import { problemsFrom } from './validation';

/** A manual run names accounts to re-check, not the organization: a full run needs no list. */
export const MAX_REQUESTED_ACCOUNTS = 1000;

const manualEventSchema = z.strictObject({
  /** Measure effective coverage instead of reconciling: read-only. */
  coverage: z.literal(true, { error: 'must be true, or left out to reconcile' }).optional(),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  force: z.boolean({ error: 'must be true or false' }).optional(),
  accountIds: distinct(accountIdSchema, 'account id')
    .min(1, 'must not be empty; leave it out to run for every account')
    .max(MAX_REQUESTED_ACCOUNTS, `at most ${MAX_REQUESTED_ACCOUNTS} account ids; leave it out to run for every account`)
    .optional(),
  regions: distinct(regionSchema, 'region')
    .min(1, 'must not be empty; leave it out to run in every region of the policy')
    .optional(),
});

export interface Invocation {
  readonly trigger: 'schedule' | 'manual';
  /** Measure effective coverage (read-only) instead of reconciling. */
  readonly coverage?: true;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly accountIds?: readonly string[];
  readonly regions?: readonly string[];
  /** Scheduler's id of this attempt, for the log: it differs between Scheduler's own retries. */
  readonly scheduleExecutionId?: string;
  /** When the schedule was due: the same for every attempt of one scheduled run, retries included. */
  readonly scheduledTime?: string;
}

/**
 * An EventBridge rule's scheduled event, field for field and nothing else: a full run. Anything that
 * merely looks like one (say it also carries `"dryRun": true`) is validated as a manual event, so
 * it is refused rather than run as a full, real run.
 */
const scheduledEventSchema = z.strictObject({
  version: z.literal('0'),
  id: z.string().min(1),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  account: z.string().regex(ACCOUNT_ID),
  time: z.iso.datetime(),
  region: regionSchema,
  resources: z.array(z.string()),
  detail: z.strictObject({}),
});

/**
 * EventBridge Scheduler's explicit input, as the stack sets it. `<aws.scheduler.scheduled-time>` is
 * the same for every attempt of one scheduled run; `<aws.scheduler.execution-id>` is "assigned for
 * each attempted invocation" (Scheduler's documentation), so it names an attempt, not the run.
 */
const schedulerInputSchema = z.strictObject({
  trigger: z.literal('schedule'),
  /** The coverage schedule's input says so; the reconcile schedule's does not. */
  action: z.literal('coverage').optional(),
  scheduledTime: z.iso.datetime(),
  scheduleExecutionId: z.string().min(1).max(128),
});

/** True for a scheduled event; throws naming what is wrong with an event that claims to be one and is not exactly one. */
function isScheduledEvent(event: unknown): boolean {
  const fromScheduler = schedulerInputSchema.safeParse(event);
  const fromRule = scheduledEventSchema.safeParse(event);
  if (fromScheduler.success || fromRule.success) return true;
  const looksScheduled = (event as { source?: unknown; trigger?: unknown } | null) ?? {};
  const error = looksScheduled.trigger === 'schedule' ? fromScheduler.error : fromRule.error;
  if (looksScheduled.source !== 'aws.events' && looksScheduled.trigger !== 'schedule') return false;
  throw new InvocationError(
    problemsFrom(error).map((problem) => ({
      path: problem.path,
      message: `${problem.message} (a scheduled event carries exactly its own fields; a manual run is a plain object such as {"dryRun": true})`,
    })),
  );
}

/**
 * Turns whatever invoked the function into a validated request, before any AWS call.
 * Accepts the EventBridge Scheduler input the stack sets, an EventBridge rule's scheduled event, or a manual event such as
 * `{"dryRun": true, "accountIds": ["123456789012"], "regions": ["eu-west-1"], "force": true}`.
 */
export function parseInvocation(event: unknown): Invocation {
  if (isScheduledEvent(event)) {
    const scheduled = event as { scheduleExecutionId?: string; scheduledTime?: string; time?: string; action?: string };
    const scheduledTime = scheduled.scheduledTime ?? scheduled.time;
    return {
      trigger: 'schedule',
      ...(scheduled.action === 'coverage' ? { coverage: true as const } : {}),
      dryRun: false,
      force: false,
      ...(scheduled.scheduleExecutionId ? { scheduleExecutionId: scheduled.scheduleExecutionId } : {}),
      ...(scheduledTime ? { scheduledTime } : {}),
    };
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvocationError([
      {
        path: '$',
        message: `must be a JSON object such as {"dryRun": true}, got ${JSON.stringify(event)?.slice(0, 100)}`,
      },
    ]);
  }
  const result = manualEventSchema.safeParse(event);
  if (!result.success)
    throw new InvocationError(problemsFrom(result.error, { schema: manualEventSchema, input: event }));
  const { coverage, dryRun = false, force = false, accountIds, regions } = result.data;
  if (coverage && (result.data.dryRun !== undefined || result.data.force !== undefined)) {
    throw new InvocationError([
      {
        path: result.data.dryRun !== undefined ? '$.dryRun' : '$.force',
        message: 'a coverage measurement only reads: leave out dryRun and force',
      },
    ]);
  }
  return {
    trigger: 'manual',
    ...(coverage ? { coverage } : {}),
    dryRun,
    force,
    ...(accountIds === undefined ? {} : { accountIds }),
    ...(regions === undefined ? {} : { regions }),
  };
}

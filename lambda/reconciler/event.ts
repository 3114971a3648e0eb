import * as z from 'zod';
import { InvocationError } from './errors';
import { accountIdSchema, distinct, regionSchema } from './ids';
import { problemsFrom } from './validation';

/** A manual run names accounts to re-check, not the organization: a full run needs no list. */
export const MAX_REQUESTED_ACCOUNTS = 1000;

const manualEventSchema = z.strictObject({
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
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly accountIds?: readonly string[];
  readonly regions?: readonly string[];
}

/** An EventBridge rule's scheduled event: a full run. */
function isScheduledEvent(event: unknown): boolean {
  const candidate = event as Record<string, unknown> | null;
  return candidate?.source === 'aws.events' && candidate['detail-type'] === 'Scheduled Event';
}

/**
 * Turns whatever invoked the function into a validated request, before any AWS call.
 * Accepts an EventBridge scheduled event, or a manual event such as
 * `{"dryRun": true, "accountIds": ["123456789012"], "regions": ["eu-west-1"], "force": true}`.
 */
export function parseInvocation(event: unknown): Invocation {
  if (isScheduledEvent(event)) return { trigger: 'schedule', dryRun: false, force: false };
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvocationError([
      {
        path: '$',
        message: `must be a JSON object such as {"dryRun": true}, got ${JSON.stringify(event)?.slice(0, 100)}`,
      },
    ]);
  }
  const result = manualEventSchema.safeParse(event);
  if (!result.success) throw new InvocationError(problemsFrom(result.error));
  const { dryRun = false, force = false, accountIds, regions } = result.data;
  return {
    trigger: 'manual',
    dryRun,
    force,
    ...(accountIds === undefined ? {} : { accountIds }),
    ...(regions === undefined ? {} : { regions }),
  };
}

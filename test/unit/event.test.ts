import { InvocationError } from '../../lambda/reconciler/errors/errors';
import { MAX_REQUESTED_ACCOUNTS, parseInvocation } from '../../lambda/reconciler/event';

const scheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-21T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/reconcile'],
  detail: {},
};

describe('parseInvocation', () => {
  it('treats an EventBridge scheduled event as a full run', () => {
    expect(parseInvocation(scheduledEvent)).toEqual({
      trigger: 'schedule',
      dryRun: false,
      force: false,
      scheduledTime: '2026-11-21T12:00:00Z',
    });
  });

  it.each<[string, object, string]>([
    ['a dry-run flag', { ...scheduledEvent, dryRun: true }, '$.dryRun'],
    ['a force flag', { ...scheduledEvent, force: true }, '$.force'],
    ['an account list', { ...scheduledEvent, accountIds: ['123456789012'] }, '$.accountIds'],
    ['a detail that is not empty', { ...scheduledEvent, detail: { dryRun: true } }, '$.detail'],
  ])(
    'refuses a scheduled-looking event that also carries %s, rather than running it as a full run',
    (_what, event, path) => {
      expect(() => parseInvocation(event)).toThrow(InvocationError);
      expect(() => parseInvocation(event)).toThrow(path);
    },
  );

  const schedulerInput = { trigger: 'schedule', scheduledTime: '2026-11-29T12:00:00Z', scheduleExecutionId: 'a1b2c3' };

  it('treats the EventBridge Scheduler input the stack sets as a full scheduled run, keeping its scheduled time', () => {
    expect(parseInvocation(schedulerInput)).toEqual({
      trigger: 'schedule',
      dryRun: false,
      force: false,
      scheduleExecutionId: 'a1b2c3',
      scheduledTime: '2026-11-29T12:00:00Z',
    });
  });

  it('refuses a Scheduler input that carries anything else, rather than running it as a full run', () => {
    expect(() => parseInvocation({ ...schedulerInput, dryRun: true })).toThrow(/\$\.dryRun: unknown key/);
  });

  it('refuses a Scheduler input without its scheduled time: the guardrail counts retries by it', () => {
    expect(() => parseInvocation({ trigger: 'schedule', scheduleExecutionId: 'x' })).toThrow(/\$\.scheduledTime/);
  });

  it('treats {"coverage": true} as a coverage measurement, limited as asked, and refuses it with dryRun or force', () => {
    expect(parseInvocation({ coverage: true, regions: ['eu-west-1'] })).toEqual({
      trigger: 'manual',
      coverage: true,
      dryRun: false,
      force: false,
      regions: ['eu-west-1'],
    });
    expect(() => parseInvocation({ coverage: true, dryRun: true })).toThrow(
      /\$\.dryRun: a coverage measurement only reads/,
    );
    expect(() => parseInvocation({ coverage: true, force: true })).toThrow(
      /\$\.force: a coverage measurement only reads/,
    );
    expect(() => parseInvocation({ coverage: false })).toThrow(/\$\.coverage: must be true, or left out to reconcile/);
  });

  it('treats the coverage schedule’s input as a scheduled coverage measurement', () => {
    expect(parseInvocation({ ...schedulerInput, action: 'coverage' })).toMatchObject({
      trigger: 'schedule',
      coverage: true,
      dryRun: false,
    });
    expect(() => parseInvocation({ ...schedulerInput, action: 'reconcile' })).toThrow(/\$\.action/);
  });

  it('treats {} as a full manual run', () => {
    expect(parseInvocation({})).toEqual({ trigger: 'manual', dryRun: false, force: false });
  });

  it('accepts every documented manual field', () => {
    const event = { dryRun: true, accountIds: ['123456789012'], regions: ['eu-west-1'], force: true };
    expect(parseInvocation(event)).toEqual({ trigger: 'manual', ...event });
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { dryrun: true }, '$.dryrun: unknown key'],
    ['a string for dryRun', { dryRun: 'yes' }, '$.dryRun: must be true or false'],
    ['a short account id', { accountIds: ['12345'] }, '$.accountIds[0]: "12345" is not a 12-digit account id'],
    ['a numeric account id', { accountIds: [123456789012] }, '$.accountIds[0]: must be a string'],
    [
      'a duplicate account id',
      { accountIds: ['123456789012', '123456789012'] },
      '$.accountIds[1]: duplicate account id',
    ],
    ['an empty account list', { accountIds: [] }, '$.accountIds: must not be empty'],
    ['a bad region', { regions: ['eu-west-1', 'EU'] }, '$.regions[1]: "EU" is not an AWS region name'],
    ['an array', [], '$: must be a JSON object'],
    ['null', null, '$: must be a JSON object'],
    ['a string', 'run', '$: must be a JSON object'],
    ['the console default test event', { key1: 'value1', key2: 'value2', key3: 'value3' }, '$.key1: unknown key'],
  ])('rejects %s', (_name, event, message) => {
    expect(() => parseInvocation(event)).toThrow(InvocationError);
    expect(() => parseInvocation(event)).toThrow(message);
  });

  it(`rejects more than ${MAX_REQUESTED_ACCOUNTS} account ids`, () => {
    const accountIds = Array.from({ length: MAX_REQUESTED_ACCOUNTS + 1 }, (_, i) => String(100000000000 + i));
    expect(() => parseInvocation({ accountIds })).toThrow(`at most ${MAX_REQUESTED_ACCOUNTS} account ids`);
  });
});

import { loadClientSettings, loadConfig } from '../../lambda/reconciler/config';
import { CALL_TIMEOUTS } from '../../lambda/reconciler/deadline/deadline';
import { ConfigError } from '../../lambda/reconciler/errors/errors';

const env = {
  POLICY_PARAMETER_NAME: '/deep-inspection/policy',
  GUARDRAIL_LEDGER_PARAMETER_NAME: '/deep-inspection/policy-guardrail-ledger',
  FAILED_ACCOUNTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/failed-accounts',
  AWS_REGION: 'eu-west-1',
};

describe('loadConfig', () => {
  it('returns a frozen, typed configuration', () => {
    const config = loadConfig(env);
    expect(config).toEqual({
      policyParameterName: '/deep-inspection/policy',
      guardrailLedgerParameterName: '/deep-inspection/policy-guardrail-ledger',
      failedAccountsQueueUrl: env.FAILED_ACCOUNTS_QUEUE_URL,
      region: 'eu-west-1',
      securityHubFindings: false,
      clients: {
        inspectorRequestsPerSecond: 10,
        organizationsRequestsPerSecond: 10,
        retryMode: 'standard',
        maxAttempts: 8,
        timeouts: { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 },
      },
      schedulePeriodSeconds: 3600,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the schedule period the stack sets (the scan configuration slice), 3600 s when unset', () => {
    expect(loadConfig({ ...env, SCHEDULE_PERIOD_SECONDS: '21600' }).schedulePeriodSeconds).toBe(21600);
    expect(loadConfig({ ...env, SCHEDULE_PERIOD_SECONDS: '' }).schedulePeriodSeconds).toBe(3600);
    for (const bad of ['0', '-60', '1.5', 'hourly']) {
      expect(() => loadConfig({ ...env, SCHEDULE_PERIOD_SECONDS: bad })).toThrow(
        /SCHEDULE_PERIOD_SECONDS: must be a whole number of seconds above 0/,
      );
    }
  });

  it('reads whether the stack granted Security Hub permissions: off unless SECURITY_HUB_FINDINGS is "true"', () => {
    expect(loadConfig({ ...env, SECURITY_HUB_FINDINGS: 'true' }).securityHubFindings).toBe(true);
    expect(loadConfig({ ...env, SECURITY_HUB_FINDINGS: 'false' }).securityHubFindings).toBe(false);
    expect(() => loadConfig({ ...env, SECURITY_HUB_FINDINGS: 'yes' })).toThrow(
      /SECURITY_HUB_FINDINGS: must be "true" or "false"/,
    );
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({ AWS_REGION: 'eu-west-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ AWS_REGION: 'eu-west-1' })).toThrow(
      /POLICY_PARAMETER_NAME: is required.*GUARDRAIL_LEDGER_PARAMETER_NAME: is required.*FAILED_ACCOUNTS_QUEUE_URL: is required/s,
    );
  });

  it('rejects a queue URL that is not a URL', () => {
    expect(() => loadConfig({ ...env, FAILED_ACCOUNTS_QUEUE_URL: 'failed-accounts' })).toThrow(
      /FAILED_ACCOUNTS_QUEUE_URL/,
    );
  });
});

describe("the SDK's retry settings, read once with every other setting", () => {
  it('loadConfig gives the clients their settings: the one parse of the environment the handler makes', () => {
    const config = loadConfig({
      ...env,
      AWS_MAX_ATTEMPTS: '3',
      AWS_RETRY_MODE: 'adaptive',
      INSPECTOR_REQUESTS_PER_SECOND: '4',
    });
    expect(config.clients).toEqual({
      inspectorRequestsPerSecond: 4,
      organizationsRequestsPerSecond: 10,
      retryMode: 'adaptive',
      maxAttempts: 3,
      timeouts: { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 },
    });
    expect(config.clients).toEqual(
      loadClientSettings({ AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'adaptive', INSPECTOR_REQUESTS_PER_SECOND: '4' }),
    );
  });

  it.each(['eight', '0', '-1', '2.5', '3 attempts', '99999999999999999999'])(
    'an invalid AWS_MAX_ATTEMPTS (%s) fails the configuration, naming it, instead of becoming 8',
    (value) => {
      for (const load of [
        () => loadConfig({ ...env, AWS_MAX_ATTEMPTS: value }),
        () => loadClientSettings({ AWS_MAX_ATTEMPTS: value }),
      ]) {
        expect(load).toThrow(ConfigError);
        expect(load).toThrow(/AWS_MAX_ATTEMPTS: must be a whole number of attempts above 0/);
      }
    },
  );

  it('the command line calls its settings environment variables, not the function configuration it has not', () => {
    expect(() => loadClientSettings({ AWS_MAX_ATTEMPTS: 'eight' })).toThrow(
      /^Invalid environment variables: 1 problem\n {2}- AWS_MAX_ATTEMPTS: /,
    );
    expect(() => loadConfig({ ...env, AWS_MAX_ATTEMPTS: 'eight' })).toThrow(
      /^Invalid function configuration: 1 problem/,
    );
  });

  it('no setting points the user at a source file', () => {
    for (const settings of [{ AWS_RETRY_MODE: 'legacy' }, { AWS_MAX_ATTEMPTS: '0' }, { REQUEST_TIMEOUT_MS: '0' }]) {
      expect(() => loadClientSettings(settings)).toThrow(ConfigError);
      expect(() => loadClientSettings(settings)).not.toThrow(/\.ts\b/);
    }
  });

  it('an invalid AWS_RETRY_MODE fails the configuration, naming it and the modes there are', () => {
    expect(() => loadConfig({ ...env, AWS_RETRY_MODE: 'adaptiv' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, AWS_RETRY_MODE: 'adaptiv' })).toThrow(
      /AWS_RETRY_MODE: must be "standard" or "adaptive"/,
    );
  });

  it('unset or empty, they are standard retries and 8 attempts', () => {
    for (const unset of [{}, { AWS_MAX_ATTEMPTS: '', AWS_RETRY_MODE: '' }]) {
      expect(loadClientSettings(unset)).toMatchObject({ retryMode: 'standard', maxAttempts: 8 });
    }
  });
});

describe('the call timeouts: the defaults, or shorter', () => {
  it('reads CONNECTION_TIMEOUT_MS and REQUEST_TIMEOUT_MS, each up to its default', () => {
    expect(loadConfig({ ...env, CONNECTION_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '2000' }).clients.timeouts).toEqual({
      connectionTimeoutMs: 500,
      requestTimeoutMs: 2_000,
    });
    expect(loadClientSettings({ CONNECTION_TIMEOUT_MS: '3000', REQUEST_TIMEOUT_MS: '' }).timeouts).toEqual(
      CALL_TIMEOUTS,
    );
  });

  it.each([
    ['CONNECTION_TIMEOUT_MS', '0', 3_000],
    ['CONNECTION_TIMEOUT_MS', '3001', 3_000],
    ['REQUEST_TIMEOUT_MS', '60000', 10_000],
    ['REQUEST_TIMEOUT_MS', '1.5', 10_000],
    ['REQUEST_TIMEOUT_MS', 'ten seconds', 10_000],
  ])('an invalid or longer %s (%s) fails the configuration, naming it and its range', (name, value, max) => {
    expect(() => loadConfig({ ...env, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, [name]: value })).toThrow(
      new RegExp(`${name}: must be a whole number of milliseconds from 1 to ${max}`),
    );
  });
});

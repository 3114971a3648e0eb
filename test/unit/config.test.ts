import { loadConfig } from '../../lambda/reconciler/config';
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

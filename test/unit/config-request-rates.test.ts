import { createClients } from '../../lambda/reconciler/aws/clients';
import { loadClientSettings, loadConfig } from '../../lambda/reconciler/config';
import { ConfigError } from '../../lambda/reconciler/errors/errors';

const env = {
  POLICY_PARAMETER_NAME: '/deep-inspection/policy',
  GUARDRAIL_LEDGER_PARAMETER_NAME: '/deep-inspection/policy-guardrail-ledger',
  FAILED_ACCOUNTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/failed-accounts',
  AWS_REGION: 'eu-west-1',
};

describe('the request rates, settings like every other', () => {
  it.each([
    ['INSPECTOR_REQUESTS_PER_SECOND', 'ten'],
    ['INSPECTOR_REQUESTS_PER_SECOND', '0'],
    ['ORGANIZATIONS_REQUESTS_PER_SECOND', '-2'],
    ['ORGANIZATIONS_REQUESTS_PER_SECOND', 'Infinity'],
    // Numbers in a notation nobody means for a rate: JavaScript's Number() reads them as 16, 1000 and 5.
    ['INSPECTOR_REQUESTS_PER_SECOND', '0x10'],
    ['INSPECTOR_REQUESTS_PER_SECOND', '1e3'],
    ['ORGANIZATIONS_REQUESTS_PER_SECOND', ' 5'],
  ])('an invalid %s (%s) fails the configuration, naming it', (name, value) => {
    expect(() => loadConfig({ ...env, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, [name]: value })).toThrow(
      new RegExp(`${name}: must be a number of requests a second above 0`),
    );
  });

  it('an invalid rate fails the clients too (the CLI reads their settings alone), with the same error, instead of becoming the default', () => {
    expect(() => createClients('eu-west-1', loadClientSettings({ INSPECTOR_REQUESTS_PER_SECOND: 'fast' }))).toThrow(
      ConfigError,
    );
  });

  it('a valid rate, or none, is accepted', () => {
    expect(() => loadConfig({ ...env, INSPECTOR_REQUESTS_PER_SECOND: '2.5' })).not.toThrow();
    expect(() => loadConfig({ ...env, ORGANIZATIONS_REQUESTS_PER_SECOND: '1000000' })).not.toThrow();
    expect(() => createClients('eu-west-1', loadClientSettings({})).destroy()).not.toThrow();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { main } from '../../cli/main';
import { loadConfig } from '../../lambda/reconciler/config';
import { parseInvocation } from '../../lambda/reconciler/event';
import { validatePolicy } from '../../lambda/reconciler/policy/schema';
import { readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { testApp } from '../support/app';

/**
 * Every region is either supported end to end (synth, the function's own environment and its policy
 * check, a manual event, the command line) or refused by all of them with its name: never accepted by
 * one and refused by the next. Across every region aws-cdk-lib knows, and a few it does not.
 */
const regions = [
  ...new Set([
    ...RegionInfo.regions.map((region) => region.name),
    'us-east-9', // matches every partition's pattern, and is no region
    'eusc-de-east-1', // the European Sovereign Cloud: RegionInfo knows it
    'sa-west-1', // the SDK's endpoint data knows it
  ]),
];

/** Each surface's verdict: undefined when it accepts the region, its message when it refuses it. */
async function verdicts(region: string): Promise<Record<string, string | undefined>> {
  const attempt = (run: () => unknown) => {
    try {
      run();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const document = { version: 1, default: 'ACTIVATED', regions: [region] };
  const synth = (policyDocument: object) =>
    attempt(() => {
      const directory = mkdtempSync(path.join(tmpdir(), 'policy-'));
      writeFileSync(path.join(directory, 'policy.json'), JSON.stringify(policyDocument));
      const app = testApp();
      new DeepInspectionStack(app, 'Regions', {
        env: { account: '111122223333', region },
        config: readConfig(() => undefined),
        baseDirectory: directory,
      });
    });
  // Deployed there with a policy that names no region (the function's own is then the one), and with one naming it.
  const deployedThere = synth({ version: 1, default: 'ACTIVATED' });
  const policyRegion = synth(document);
  const policy = attempt(() => validatePolicy(document, 'policy'));
  const event = attempt(() => parseInvocation({ regions: [region] }));
  const config = attempt(() =>
    loadConfig({
      POLICY_PARAMETER_NAME: '/p',
      GUARDRAIL_LEDGER_PARAMETER_NAME: '/p-guardrail-ledger',
      FAILED_ACCOUNTS_QUEUE_URL: 'https://sqs.example.com/1/q',
      AWS_REGION: region,
    }),
  );
  // A policy file that does not exist: the command stops before any AWS call either way.
  let stderr = '';
  const status = await main(['plan', '--region', region, '--policy-file', '/nonexistent/policy.json'], {
    stdout: () => undefined,
    stderr: (text) => {
      stderr += text;
    },
    env: {},
  });
  const cli = status === 2 && stderr.includes('--region') ? stderr : undefined;
  return { deployedThere, policyRegion, policy, event, config, cli };
}

describe('one region list for synth, the function and the command line', () => {
  it.each(regions)('%s is supported by every surface, or refused by every one, naming it', async (region) => {
    const verdict = await verdicts(region);
    const refusedBy = Object.entries(verdict).filter(([, message]) => message !== undefined);
    if (refusedBy.length === 0) return;
    expect(refusedBy.map(([surface]) => surface)).toEqual(Object.keys(verdict));
    for (const [, message] of refusedBy) expect(message).toContain(region);
  });
});

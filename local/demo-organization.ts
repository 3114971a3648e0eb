import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { utcDay } from '../lambda/reconciler';
import type { LocalAwsEndpoint } from './aws-endpoint/server';
import { SimulatedOrganization } from './simulated-organization';

/** The demo's and `deep-inspection local`'s organization: its regions, its policy, where the policy is kept. */
export const DEMO_REGIONS = ['us-east-1', 'eu-west-1'] as const;
/** The function's default parameter name (the stack's `policyParameterName`). */
export const DEMO_POLICY_PARAMETER = '/deep-inspection-reconciler/policy';
export const DEMO_POLICY_FILE = join(__dirname, 'demo-policy.json');
/** The failed-accounts queue's name on the local endpoint. */
export const DEMO_QUEUE = 'failed-accounts';

/**
 * 500 accounts by default, under two levels of three OUs, with closed accounts, non-members and EC2 scanning
 * off (in eu-west-1, half of those by an Inspector policy attached to the account). In eu-west-1 the delegated
 * administrator runs hybrid scanning with the Inspector VM scanner, which its members inherit, except every
 * tenth, configured on its own with the SSM plugin alone.
 */
export function demoOrganization(accounts = 500): SimulatedOrganization {
  const organization = SimulatedOrganization.generate({
    accounts,
    regions: DEMO_REGIONS,
    depth: 2,
    unitsPerLevel: 3,
    closed: 0.03,
    nonMembers: 0.04,
    ec2ScanningOff: 0.06,
    activated: 0.6,
  });
  const [, region] = DEMO_REGIONS;
  organization.accounts.forEach((account, index) => {
    const state = organization.inspectorAccount(region, account.id);
    if (state === undefined) return;
    if (account.id === organization.delegatedAdminAccountId) {
      state.ec2Configuration = {
        scanMode: 'EC2_HYBRID',
        vmScannerActivated: true,
        vmScannerActivatedAt: Date.UTC(2026, 9, 1),
      };
    } else if (index % 10 === 0) {
      state.ec2Configuration = { scanMode: 'EC2_SSM_AGENT_BASED', vmScannerActivated: false };
    }
    if (state.ec2ScanStatus === 'DISABLED' && index % 2 === 0) {
      organization.inspectorPolicies.set(account.id, {
        disableInRegions: [region],
        enableInRegions: [DEMO_REGIONS[0]],
      });
    }
  });
  return organization;
}

/**
 * demo-policy.json with its exception expiring 10 days after `now` (the file's own date is a
 * placeholder), so that every run shows the warning a run gives before an exception lapses.
 */
export function demoPolicy(now = new Date()): { readonly text: string; readonly expires: string } {
  const document = JSON.parse(readFileSync(DEMO_POLICY_FILE, 'utf8')) as { rules: { expires?: string }[] };
  const expires = utcDay(new Date(now.getTime() + 10 * 86_400_000));
  for (const rule of document.rules) if (rule.expires) rule.expires = expires;
  return { text: JSON.stringify(document, null, 2), expires };
}

/** Stores the demo policy in the endpoint's SSM, as `cdk deploy` stores policy.json in the real one. */
export function seedDemoPolicy(endpoint: LocalAwsEndpoint, now = new Date()): { text: string; expires: string } {
  const policy = demoPolicy(now);
  const existing = endpoint.state.parameters.get(DEMO_POLICY_PARAMETER);
  endpoint.state.parameters.set(DEMO_POLICY_PARAMETER, { value: policy.text, version: (existing?.version ?? 0) + 1 });
  return policy;
}

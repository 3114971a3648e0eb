import { ec2ScanningOffText, regionLists } from '../inspector-policy';
import type { AccountException, AccountExceptionReason } from './exception';

/*
 * What each account finding says: its title, description, remediation and the Inspector page it points
 * to, per reason (asff.ts builds the finding around them; docs/findings.md lists the reasons).
 */

/** Security Hub's documentation pages each remediation points to. */
const INSPECTOR_DOCS = 'https://docs.aws.amazon.com/inspector/latest/user';
export const URL = {
  deepInspection: `${INSPECTOR_DOCS}/deep-inspection.html`,
  members: `${INSPECTOR_DOCS}/managing-multiple-accounts.html`,
  scanning: `${INSPECTOR_DOCS}/scanning-ec2.html`,
  /** "Scanning Amazon EC2 instances with Amazon Inspector": scan modes, hybrid scanning, the VM scanner. */
  scanModes: `${INSPECTOR_DOCS}/scanning-ec2.html`,
} as const;

interface AccountText {
  readonly title: (e: AccountException) => string;
  readonly description: (e: AccountException) => string;
  readonly remediation: string | ((e: AccountException) => string);
  readonly url: string;
}

const ACTIVATE_EC2_SCANNING =
  'From the Inspector delegated administrator, activate EC2 scanning for the account in this Region (console: Account management; API: Enable with resourceTypes EC2 and the account id). The next run then activates deep inspection where the rule is enforced; a report-only rule reports it instead.';

/**
 * What to do where EC2 scanning is off, by what the organization's Inspector policy says: a policy that
 * disables it "takes precedence over non policy managed delegated administrator and member account
 * enablements" (Inspector user guide, "Managing multiple accounts"), so only the policy can change it.
 */
function ec2ScanningOffRemediation(e: AccountException): string {
  const cause = e.ec2ScanningOff;
  switch (cause?.kind) {
    case 'DISABLED_BY_POLICY':
      return `EC2 scanning is ${ec2ScanningOffText(cause)}, which takes precedence over the delegated administrator's enablement. Change the policy from the management account (Organizations, policy type INSPECTOR_POLICY) to enable EC2 scanning here, or make the rule for this account UNMANAGED.`;
    case 'NO_POLICY':
      return `No Inspector policy applies to the account. ${ACTIVATE_EC2_SCANNING}`;
    case 'POLICY_DOES_NOT_DISABLE':
      return `The organization's Inspector policy does not disable EC2 scanning here (${regionLists(cause)}). ${ACTIVATE_EC2_SCANNING}`;
    case 'COULD_NOT_TELL':
      return `Could not tell whether the organization's Inspector policy turned EC2 scanning off (${cause.why}). If an Inspector policy disables EC2 scanning here, change the policy from the management account; otherwise: ${ACTIVATE_EC2_SCANNING}`;
    case undefined:
      return ACTIVATE_EC2_SCANNING;
  }
}

const desiredText = (e: AccountException) => (e.desired === undefined ? '' : ` The policy wants it ${e.desired}.`);
const ruleText = (rule: string | undefined) => (rule === undefined ? '' : ` (rule "${rule}")`);
/** The rules (or "default") that decided a scan configuration fact, comma-separated. */
const scanRulesText = (rules: string | undefined) => (rules === undefined ? '' : ` (decided by: ${rules})`);

/** `the policy wants vmScanner ACTIVATED (decided by: rule)`: a scan configuration fact's Desired in words. */
const wantsText = (e: AccountException) =>
  e.scanTarget
    ? `the policy wants ${e.scanTarget}${scanRulesText(e.rule)}`
    : 'the policy manages its scan mode or VM scanner';

/** Title, description and the fix the Inspector docs give, per reason. */
export const ACCOUNT_TEXT: Record<AccountExceptionReason, AccountText> = {
  UPDATE_FAILED: {
    title: (e) =>
      `Amazon Inspector refused to ${e.desired === 'DEACTIVATED' ? 'deactivate' : 'activate'} deep inspection in account ${e.accountId}`,
    description: (e) =>
      `Amazon Inspector did not apply the deep-inspection change the policy asks for in account ${e.accountId}, ${e.region}${ruleText(e.rule)}.${desiredText(e)}${e.detail ? ` It reads ${e.detail}.` : ''}${e.message ? ` Inspector said: ${e.message}` : ''} The reconciler retries every run.`,
    remediation:
      "Read Inspector's error message above. Deep inspection needs EC2 scanning enabled for the account and the instances managed by Systems Manager with ssm:PutInventory and ssm:GetParameter; once the cause is fixed the next run applies the change.",
    url: URL.deepInspection,
  },
  STATUS_UNREADABLE: {
    title: (e) => `Deep inspection status of account ${e.accountId} could not be read`,
    description: (e) =>
      `Amazon Inspector did not report the deep-inspection status of account ${e.accountId} in ${e.region}${ruleText(e.rule)}, so nobody can say whether the policy holds there.${desiredText(e)}${e.message ? ` Inspector said: ${e.message}` : ''}`,
    remediation:
      "Check the account's Inspector status from the delegated administrator (BatchGetAccountStatus, BatchGetMemberEc2DeepInspectionStatus). Transient errors clear on the next run; a lasting one needs the account's Inspector setup checked.",
    url: URL.members,
  },
  ORGANIZATIONAL_UNIT_UNRESOLVED: {
    title: (e) => `The policy cannot decide account ${e.accountId}: its organizational unit is unknown`,
    description: (e) =>
      `A rule${ruleText(e.rule)} names organizational units and the place of account ${e.accountId} in the organization could not be read, so no rule may decide it and the reconciler leaves it as it is in ${e.region}.${e.message ? ` ${e.message}` : ''}`,
    remediation:
      'Give the function organizations:ListParents (or fix what the error names), or name the account in a rule by its id; the next run decides it.',
    url: URL.members,
  },
  EC2_SCANNING_NOT_ENABLED: {
    title: (e) => `EC2 scanning is not enabled in account ${e.accountId}, so deep inspection cannot be activated`,
    description: (e) =>
      `Deep inspection applies only where Amazon Inspector EC2 scanning is enabled. In account ${e.accountId}, ${e.region}, EC2 scanning is ${e.detail ?? 'not enabled'}${ruleText(e.rule)}.${desiredText(e)}`,
    remediation: ec2ScanningOffRemediation,
    url: URL.scanning,
  },
  NOT_INSPECTOR_MEMBER: {
    title: (e) => `Account ${e.accountId} is not an Amazon Inspector member in ${e.region}`,
    description: (e) =>
      `Amazon Inspector does not know account ${e.accountId} as a member of the delegated administrator in ${e.region}, so it scans nothing there and deep inspection cannot be set${ruleText(e.rule)}.${desiredText(e)}`,
    remediation:
      'From the Inspector delegated administrator, add the account as a member and activate EC2 scanning for it in this Region (console: Account management; API: AssociateMember, then Enable), or turn on automatic activation for the organization.',
    url: URL.members,
  },
  BLOCKED_BY_ORGANIZATION_POLICY: {
    title: (e) => `An organization policy blocks Inspector in account ${e.accountId}`,
    description: (e) =>
      `Amazon Inspector reports BLOCKED_BY_ORGANIZATION_POLICY for account ${e.accountId} in ${e.region}: an organization policy keeps it from changing the account${ruleText(e.rule)}.${desiredText(e)}`,
    remediation:
      "Review the organization's Inspector policy (or the service control policy) that applies to the account; organization policies take precedence over the delegated administrator's settings.",
    url: URL.members,
  },
  ACCOUNT_ISOLATED: {
    title: (e) => `Amazon Inspector isolated account ${e.accountId}`,
    description: (e) =>
      `Amazon Inspector reports ACCOUNT_IS_ISOLATED for account ${e.accountId} in ${e.region}: no deep-inspection change is possible there until the isolation is resolved${ruleText(e.rule)}.${desiredText(e)}`,
    remediation:
      'Find out why the account is isolated (AWS Health and AWS Support); the reconciler applies the policy once Inspector reports the account again.',
    url: URL.members,
  },
  SCAN_CONFIGURATION_UPDATE_FAILED: {
    title: (e) => `Amazon Inspector refused to change the EC2 scan configuration of account ${e.accountId}`,
    description: (e) =>
      `Amazon Inspector refused the EC2 scan configuration change the policy asks for in account ${e.accountId}, ${e.region}${scanRulesText(e.rule)}${e.scanTarget ? `: ${e.scanTarget}` : ''}${e.detail ? ` (written as ${e.detail})` : ''}.${e.message ? ` Inspector said: ${e.message}` : ''} The reconciler retries every run that reads the account (at least once a day).`,
    remediation:
      "Read Inspector's error message above. UpdateConfiguration for a member needs this account to be the delegated administrator with the member associated and enabled; an organization's Inspector policy may also keep it from changing. Once the cause is fixed the next run that reads the account applies the change.",
    url: URL.scanModes,
  },
  VM_SCANNER_FAILED: {
    title: (e) => `The Amazon Inspector VM scanner reads FAILED in account ${e.accountId}`,
    description: (e) =>
      `GetConfiguration reads the Inspector VM scanner's status FAILED in account ${e.accountId}, ${e.region}: Inspector accepted the last VM scanner change but could not apply it${scanRulesText(e.rule)}.${e.scanTarget ? ` The policy wants ${e.scanTarget}.` : ''} The reconciler writes the policy's value again; this finding is archived once a run reads it SUCCESS.`,
    remediation:
      "Check the account's Inspector setup from the delegated administrator (GetConfiguration with the account id; the Inspector console's EC2 scan settings). If FAILED comes back after the reconciler's next write, open a case with AWS Support naming the account and Region.",
    url: URL.scanModes,
  },
  SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY: {
    title: (e) =>
      e.detail === 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY'
        ? `The organization's Inspector policy disables EC2 scanning in account ${e.accountId}: its EC2 scan configuration is moot`
        : `An organization policy blocks Inspector from changing the EC2 scan configuration of account ${e.accountId}`,
    description: (e) =>
      e.detail === 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY'
        ? `In account ${e.accountId}, ${e.region}, ${wantsText(e)}, but EC2 scanning there is ${e.ec2ScanningOff?.kind === 'DISABLED_BY_POLICY' ? ec2ScanningOffText(e.ec2ScanningOff) : 'disabled by the organization’s Inspector policy'}: no instance is scanned, whatever the scan mode or the VM scanner.`
        : `Amazon Inspector reports BLOCKED_BY_ORGANIZATION_POLICY for account ${e.accountId} in ${e.region}: an organization policy keeps it from changing the account, so the EC2 scan configuration cannot be read or held where ${wantsText(e)}.`,
    remediation: (e) =>
      e.detail === 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY'
        ? "Change the organization's Inspector policy from the management account (Organizations, policy type INSPECTOR_POLICY) to enable EC2 scanning here, or make the policy's scanMode and vmScanner for this account UNMANAGED."
        : "Review the organization's Inspector policy (or the service control policy) that applies to the account; organization policies take precedence over the delegated administrator's settings. Or make the policy's scanMode and vmScanner for this account UNMANAGED.",
    url: URL.scanModes,
  },
  DEACTIVATION_HELD_BY_GUARDRAIL: {
    title: (e) => `Deactivating deep inspection in account ${e.accountId} is held by the guardrail`,
    description: (e) =>
      `The policy asks to deactivate deep inspection in account ${e.accountId}, ${e.region}${ruleText(e.rule)}, but more deactivations than the policy's guardrails allow were due, so this one was held and the account keeps deep inspection.`,
    remediation:
      'If the policy change is intended, run the reconciler once with force (or raise guardrails.maxDeactivationsPerRun / maxDeactivationsPerDay); if not, revert the policy. Until then the account stays as it is.',
    url: URL.deepInspection,
  },
};

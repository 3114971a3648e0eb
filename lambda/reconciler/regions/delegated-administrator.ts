import { describeError } from '../errors/describe-error';
import type { Observation } from '../model';
import type { RegionFailure } from './opt-in';

/**
 * Whether this account is Inspector's delegated administrator in a Region. Pure: no calls.
 *
 * Sources (Amazon Inspector User Guide, "Designating a delegated administrator for Amazon Inspector",
 * designating-admin.html): the delegated administrator is designated per Region ("Delegated
 * administrators are Regional"), must be the same account in every Region, and "can manage a maximum of
 * 10,000 members": in a larger organization "only 10,000 accounts will be associated". The API reference of
 * GetDelegatedAdminAccount (inspector2 model: answers `delegatedAdmin.accountId`; errors AccessDenied,
 * Validation, ResourceNotFound, Throttling, InternalServer) says neither who may call it nor how a
 * non-administrator's member reads fail. Assumed here, and written in docs/how-it-works.md:
 * - GetDelegatedAdminAccount naming another account, or none (ResourceNotFoundException or no
 *   `delegatedAdmin`), means this account is not the administrator in that Region;
 * - when it cannot answer (denied, throttled), a Region where every member read answered `ACCESS_DENIED`
 *   is treated the same: a real administrator sees its members, and an organization none of whose
 *   other accounts is a member has nothing to reconcile there.
 */

/** Inspector's documented cap on the members of one delegated administrator (designating-admin.html). */
export const INSPECTOR_MEMBER_LIMIT = 10_000;

/** GetDelegatedAdminAccount's answer: the administrator it names (none: undefined), or why it could not answer. */
export type DelegatedAdministratorAnswer =
  { readonly accountId?: string; readonly relationshipStatus?: string } | { readonly error: unknown };

/** What to do about a Region where this account is not the administrator. */
export function designateOrRemove(region: string): string {
  return `this account is not Inspector's delegated administrator in ${region}: designate it, or remove the region from the policy`;
}

function notAdministrator(region: string, why: string): RegionFailure {
  return {
    message: `${designateOrRemove(region)} (${why})`,
    accountMessage: `not Inspector's delegated administrator in ${region}`,
    verdict: 'PERMANENT',
    notEnabled: false,
    notDelegatedAdministrator: true,
  };
}

/**
 * Before any member read: the Region's failure when GetDelegatedAdminAccount names another account or
 * none; undefined when it names this one, or could not answer (then `membersDenied` decides after the read).
 */
export function administratorFailure(
  region: string,
  ownAccountId: string,
  answer: DelegatedAdministratorAnswer,
): RegionFailure | undefined {
  if ('error' in answer) return undefined;
  if (answer.accountId === ownAccountId) return undefined;
  return notAdministrator(
    region,
    answer.accountId === undefined
      ? 'GetDelegatedAdminAccount names no delegated administrator there'
      : `GetDelegatedAdminAccount names ${answer.accountId}`,
  );
}

/**
 * After the member reads, when GetDelegatedAdminAccount could not answer: the Region's failure when every
 * member read answered ACCESS_DENIED (at least one was read).
 */
export function membersDeniedFailure(
  region: string,
  answer: DelegatedAdministratorAnswer,
  members: { readonly read: number; readonly accessDenied: number },
): RegionFailure | undefined {
  if (!('error' in answer) || members.read === 0 || members.accessDenied < members.read) return undefined;
  return notAdministrator(
    region,
    `every member read answered ACCESS_DENIED, and GetDelegatedAdminAccount could not tell: ${describeError(answer.error)}`,
  );
}

/** What a NOT_INSPECTOR_MEMBER skip says of an account past Inspector's member cap. */
export const PAST_MEMBER_LIMIT = `past Inspector's member limit: a delegated administrator has at most ${INSPECTOR_MEMBER_LIMIT.toLocaleString('en-US')} members, and this region has reached it`;

/**
 * When a Region's associated members have reached Inspector's cap, the accounts it answers as not members
 * are those past it: each NOT_INSPECTOR_MEMBER skip says so, and they are counted. Otherwise unchanged, 0.
 */
export function markPastMemberLimit(observations: ReadonlyMap<string, Observation>): {
  readonly observations: ReadonlyMap<string, Observation>;
  readonly pastLimit: number;
} {
  const isNotMember = (o: Observation) => o.kind === 'SKIP' && o.reason === 'NOT_INSPECTOR_MEMBER';
  const notMembers = [...observations.values()].filter(isNotMember).length;
  if (observations.size - notMembers < INSPECTOR_MEMBER_LIMIT || notMembers === 0) {
    return { observations, pastLimit: 0 };
  }
  const marked = new Map<string, Observation>();
  for (const [accountId, o] of observations) {
    marked.set(
      accountId,
      isNotMember(o) && o.kind === 'SKIP' ? { ...o, detail: `${PAST_MEMBER_LIMIT} (${o.detail})` } : o,
    );
  }
  return { observations: marked, pastLimit: notMembers };
}

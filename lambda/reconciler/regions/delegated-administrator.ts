import { isAccessDenied } from '../errors/classification';
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
 * - when it is denied (AccessDenied), a Region where every member read of a run over the whole organization
 *   answered `ACCESS_DENIED` is treated the same: a real administrator sees its members, and an organization
 *   none of whose other accounts is a member has nothing to reconcile there. A run scoped to some accounts
 *   (`--accounts`, `explain`, an event's `accountIds`) infers nothing: the accounts it names may all be
 *   non-members, which Inspector answers ACCESS_DENIED too; they are skipped NOT_INSPECTOR_MEMBER as answered;
 * - when it fails for another reason (throttled, a server error, the network), nothing was checked: the Region
 *   fails with that error and its verdict (a throttle or a 5xx: TRANSIENT, retried), never as "not the
 *   delegated administrator".
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
 * Before any member read, when GetDelegatedAdminAccount failed for a reason other than a denial: the Region's
 * failure as any read error of the Region is classified (`failureOf`: its verdict, a Region not enabled), named
 * as this call's; nothing was checked, so nothing is concluded. Otherwise undefined.
 */
export function uncheckedFailure(
  region: string,
  answer: DelegatedAdministratorAnswer,
  failureOf: (error: unknown) => RegionFailure,
): RegionFailure | undefined {
  if (!('error' in answer) || isAccessDenied(answer.error)) return undefined;
  const failure = failureOf(answer.error);
  return {
    ...failure,
    message: `GetDelegatedAdminAccount failed: ${failure.message} (whether this account is Inspector's delegated administrator in ${region} was not checked)`,
    accountMessage: `GetDelegatedAdminAccount failed: ${failure.accountMessage}`,
  };
}

/**
 * After the member reads of a run over the whole organization, when GetDelegatedAdminAccount was denied: the
 * Region's failure when every member read answered ACCESS_DENIED (at least one was read). A scoped run: undefined.
 */
export function membersDeniedFailure(
  region: string,
  answer: DelegatedAdministratorAnswer,
  members: { readonly read: number; readonly accessDenied: number },
  wholeOrganization: boolean,
): RegionFailure | undefined {
  if (!wholeOrganization || !('error' in answer) || !isAccessDenied(answer.error)) return undefined;
  if (members.read === 0 || members.accessDenied < members.read) return undefined;
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
 * The administrator's own account is read too but is not one of its members, so it is not counted.
 */
export function markPastMemberLimit(
  observations: ReadonlyMap<string, Observation>,
  ownAccountId: string,
): {
  readonly observations: ReadonlyMap<string, Observation>;
  readonly pastLimit: number;
} {
  const isNotMember = (o: Observation) => o.kind === 'SKIP' && o.reason === 'NOT_INSPECTOR_MEMBER';
  const notMembers = [...observations.values()].filter(isNotMember).length;
  const others = observations.size - (observations.has(ownAccountId) ? 1 : 0);
  if (others - notMembers < INSPECTOR_MEMBER_LIMIT || notMembers === 0) {
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

import type { OrganizationAccount } from '../../lambda/reconciler/model';
import { validatePolicy } from '../../lambda/reconciler/policy';
import { unknownReferences } from '../../lambda/reconciler/policy-references';

const policy = validatePolicy(
  {
    version: 1,
    default: 'ACTIVATED',
    rules: [
      { name: 'pinned', accounts: ['111111111111', '999999999999'], deepInspection: 'ACTIVATED' },
      {
        name: 'sandbox',
        organizationalUnits: ['ou-ab12-11111111', 'ou-ab12-99999999', 'r-ab12'],
        deepInspection: 'DEACTIVATED',
      },
    ],
  },
  'test',
);

const accounts: OrganizationAccount[] = [
  { id: '111111111111', state: 'ACTIVE', ancestors: ['r-ab12'] },
  { id: '222222222222', state: 'ACTIVE', ancestors: ['r-ab12', 'ou-ab12-11111111'] },
];

describe('unknownReferences', () => {
  it('names each account and OU a rule names that the organization does not have, with its JSON path', () => {
    expect(unknownReferences(policy, accounts)).toEqual([
      { path: '$.rules[0].accounts[1]', message: 'account 999999999999 is not in the organization' },
      {
        path: '$.rules[1].organizationalUnits[1]',
        message: 'no account of the organization is under ou-ab12-99999999 (it does not exist, or holds no accounts)',
      },
    ]);
  });

  it('says nothing of OUs when the run did not resolve ancestry', () => {
    const unplaced = accounts.map(({ id, state }) => ({ id, state }));
    expect(unknownReferences(policy, unplaced).map((w) => w.path)).toEqual(['$.rules[0].accounts[1]']);
  });
});

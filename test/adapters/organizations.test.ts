import {
  AccountNotFoundException,
  DescribeAccountCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type AccountDirectory,
  accountsFor,
  ancestorsFromPaths,
  MAX_ACCOUNTS_READ_ONE_BY_ONE,
  OrganizationsDirectory,
} from '../../lambda/reconciler/aws/organizations';

const organizations = mockClient(OrganizationsClient);
const directory = () => new OrganizationsDirectory(new OrganizationsClient({ region: 'us-east-1' }));

beforeEach(() => organizations.reset());

describe('OrganizationsDirectory.listAccounts', () => {
  it('reads every page, keeping on past an empty page that still has a NextToken, 20 a page', async () => {
    const pages = [
      { Accounts: [{ Id: '111111111111', State: 'ACTIVE' as const }], NextToken: 't1' },
      { Accounts: [], NextToken: 't2' },
      { Accounts: [{ Id: '222222222222', State: 'CLOSED' as const }] },
    ];
    // Copied at call time: the SDK's paginator reuses one input object for every page.
    const requests: object[] = [];
    organizations.on(ListAccountsCommand).callsFake((input) => {
      requests.push({ ...input });
      return pages[requests.length - 1];
    });

    const accounts = await directory().listAccounts({ withAncestors: false });

    expect(accounts.map((a) => a.id)).toEqual(['111111111111', '222222222222']);
    expect(requests).toEqual([
      { MaxResults: 20 },
      { MaxResults: 20, NextToken: 't1' },
      { MaxResults: 20, NextToken: 't2' },
    ]);
  });

  it('reads State, and the retired Status only where State is absent', async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '111111111111', State: 'SUSPENDED', Status: 'ACTIVE' },
        { Id: '222222222222', Status: 'PENDING_CLOSURE' },
      ],
    });
    const accounts = await directory().listAccounts({ withAncestors: false });
    expect(accounts.map((a) => a.state)).toEqual(['SUSPENDED', 'PENDING_CLOSURE']);
  });

  it("takes ancestry from ListAccounts' Paths when every account has them, with no tree walk", async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        {
          Id: '111111111111',
          State: 'ACTIVE',
          Paths: ['o-abcdefghij/r-ab12/ou-ab12-11111111/ou-ab12-22222222/111111111111/'],
        },
      ],
    });
    const accounts = await directory().listAccounts({ withAncestors: true });
    expect(accounts[0]?.ancestors).toEqual(['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222']);
    expect(organizations.commandCalls(ListRootsCommand)).toHaveLength(0);
  });

  it('walks the tree once per parent when Paths are missing, never once per account', async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '111111111111', State: 'ACTIVE' },
        { Id: '222222222222', State: 'ACTIVE' },
        { Id: '333333333333', State: 'ACTIVE' },
      ],
    });
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12' }] });
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-ab12-11111111' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-ab12-11111111' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-ab12-22222222' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-ab12-22222222' })
      .resolves({ OrganizationalUnits: [] });
    organizations
      .on(ListAccountsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ Accounts: [{ Id: '111111111111' }] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-ab12-11111111' })
      .resolves({ Accounts: [] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-ab12-22222222' })
      .resolves({ Accounts: [{ Id: '222222222222' }, { Id: '333333333333' }] });

    const accounts = await directory().listAccounts({ withAncestors: true });

    expect(Object.fromEntries(accounts.map((a) => [a.id, a.ancestors]))).toEqual({
      '111111111111': ['r-ab12'],
      '222222222222': ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'],
      '333333333333': ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'],
    });
    // One call per parent for each list: 3 parents, whatever the number of accounts.
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(3);
    expect(organizations.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(3);
  });

  /** A tree of root → ou-1 → ou-2 where account 4 moved into a new OU while the walk ran, and account 5 vanished. */
  function givenAccountsMovedDuringTheWalk() {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: ['111111111111', '444444444444', '555555555555'].map((Id) => ({ Id, State: 'ACTIVE' as const })),
    });
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12' }] });
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-ab12-11111111' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-ab12-11111111' })
      .resolves({ OrganizationalUnits: [] });
    organizations
      .on(ListAccountsForParentCommand, { ParentId: 'r-ab12' })
      .resolves({ Accounts: [{ Id: '111111111111' }] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-ab12-11111111' })
      .resolves({ Accounts: [] });
    organizations
      .on(ListParentsCommand, { ChildId: '444444444444' })
      .resolves({ Parents: [{ Id: 'ou-ab12-99999999', Type: 'ORGANIZATIONAL_UNIT' }] })
      .on(ListParentsCommand, { ChildId: 'ou-ab12-99999999' })
      .resolves({ Parents: [{ Id: 'ou-ab12-11111111', Type: 'ORGANIZATIONAL_UNIT' }] })
      .on(ListParentsCommand, { ChildId: '555555555555' })
      .rejects(Object.assign(new Error('no such child'), { name: 'ChildNotFoundException' }));
  }

  it('places an account the walk missed (moved while it ran) with a few ListParents calls', async () => {
    givenAccountsMovedDuringTheWalk();

    const accounts = await directory().listAccounts({ withAncestors: true });

    expect(accounts.find((a) => a.id === '444444444444')?.ancestors).toEqual([
      'r-ab12',
      'ou-ab12-11111111',
      'ou-ab12-99999999',
    ]);
    // Only the accounts the walk missed, climbing until an OU the walk knows.
    expect(
      organizations
        .commandCalls(ListParentsCommand)
        .map((c) => c.args[0].input.ChildId)
        .sort(),
    ).toEqual(['444444444444', '555555555555', 'ou-ab12-99999999']);
  });

  it('says why an account could not be placed, and gives it no ancestry rather than an empty one', async () => {
    givenAccountsMovedDuringTheWalk();

    const accounts = await directory().listAccounts({ withAncestors: true });

    const lost = accounts.find((a) => a.id === '555555555555');
    expect(lost?.ancestors).toBeUndefined();
    expect(lost?.ancestryUnresolved).toBe('ChildNotFoundException: no such child');
  });
});

describe('ancestorsFromPaths', () => {
  it('keeps root and OU ids, in order, without the organization or the account', () => {
    expect(ancestorsFromPaths(['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/111122223333/'])).toEqual([
      'r-ab12',
      'ou-ab12-11111111',
    ]);
  });
});

describe('OrganizationsDirectory.describeAccounts', () => {
  const parents: Record<string, string> = {
    '111111111111': 'ou-ab12-22222222',
    '333333333333': 'ou-ab12-22222222',
    'ou-ab12-22222222': 'ou-ab12-11111111',
    'ou-ab12-11111111': 'r-ab12',
  };
  beforeEach(() => {
    organizations.on(DescribeAccountCommand).callsFake(({ AccountId }) => {
      if (AccountId === '999999999999') {
        throw new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: {} });
      }
      return { Account: { Id: AccountId, Name: `a${AccountId}`, State: 'ACTIVE' } };
    });
    organizations.on(ListParentsCommand).callsFake(({ ChildId }) => ({
      Parents: [{ Id: parents[ChildId], Type: parents[ChildId]?.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }],
    }));
  });

  it('reads just the accounts asked about, leaving out one the organization does not have, and lists nothing', async () => {
    const accounts = await directory().describeAccounts(['111111111111', '999999999999'], { withAncestors: false });

    expect(accounts).toEqual([{ id: '111111111111', name: 'a111111111111', state: 'ACTIVE' }]);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(0);
    expect(organizations.commandCalls(ListParentsCommand)).toHaveLength(0);
  });

  it('climbs ListParents to the root for the OU chain, each OU once however many accounts sit under it', async () => {
    const accounts = await directory().describeAccounts(['111111111111', '333333333333'], { withAncestors: true });

    const chain = ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'];
    expect(accounts.map((account) => account.ancestors)).toEqual([chain, chain]);
    const asked = organizations.commandCalls(ListParentsCommand).map((call) => call.args[0].input.ChildId);
    expect(asked.sort()).toEqual(['111111111111', '333333333333', 'ou-ab12-11111111', 'ou-ab12-22222222']);
  });

  it('marks an account whose chain cannot be climbed as unresolved, never placed by guess', async () => {
    organizations.on(ListParentsCommand).rejects(new Error('ChildNotFoundException: gone'));
    const [account] = await directory().describeAccounts(['111111111111'], { withAncestors: true });
    expect(account).toMatchObject({ id: '111111111111', ancestryUnresolved: 'Error: ChildNotFoundException: gone' });
    expect(account?.ancestors).toBeUndefined();
  });

  it('fails on any other error, as the listing does', async () => {
    organizations
      .on(DescribeAccountCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(directory().describeAccounts(['111111111111'], { withAncestors: false })).rejects.toThrow('slow down');
  });
});

describe('accountsFor', () => {
  const listed = [{ id: '111111111111', state: 'ACTIVE' }];
  const fake = (): AccountDirectory & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      listAccounts: async () => {
        calls.push('list');
        return listed;
      },
      describeAccounts: async (ids) => {
        calls.push(`describe ${ids.length}`);
        return listed;
      },
    };
  };

  it('reads a few requested accounts one by one, and says the result is not the whole organization', async () => {
    const directory = fake();
    const result = await accountsFor(directory, ['111111111111'], { withAncestors: true });
    expect(directory.calls).toEqual(['describe 1']);
    expect(result.complete).toBe(false);
  });

  it('lists the organization for a full run, or when more accounts are asked about than reading one by one pays for', async () => {
    const many = Array.from({ length: MAX_ACCOUNTS_READ_ONE_BY_ONE + 1 }, (_, i) => String(i).padStart(12, '0'));
    for (const ids of [undefined, many]) {
      const directory = fake();
      const result = await accountsFor(directory, ids, { withAncestors: false });
      expect(directory.calls).toEqual(['list']);
      expect(result.complete).toBe(true);
    }
  });
});

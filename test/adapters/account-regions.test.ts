import { AccessDeniedException, AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountManagementRegions, MAX_REGIONS_PER_PAGE } from '../../lambda/reconciler/aws/account-regions';

const account = mockClient(AccountClient);
const regions = () => new AccountManagementRegions(new AccountClient({ region: 'us-east-1' }));

beforeEach(() => account.reset());

describe('AccountManagementRegions.optStatuses', () => {
  it('reads every page of ListRegions for the caller’s own account (no AccountId), 50 a page', async () => {
    const pages = [
      {
        Regions: [
          { RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' as const },
          { RegionName: 'eu-south-2', RegionOptStatus: 'DISABLED' as const },
        ],
        NextToken: 'next',
      },
      { Regions: [], NextToken: 'again' },
      { Regions: [{ RegionName: 'me-central-1', RegionOptStatus: 'ENABLING' as const }] },
    ];
    // The paginator reuses one input object: keep a copy of each as it was sent.
    const inputs: unknown[] = [];
    account.on(ListRegionsCommand).callsFake((input) => {
      inputs.push({ ...input });
      return pages[inputs.length - 1];
    });

    const statuses = await regions().optStatuses();

    expect(statuses).toEqual({
      listed: true,
      byRegion: new Map([
        ['us-east-1', 'ENABLED_BY_DEFAULT'],
        ['eu-south-2', 'DISABLED'],
        ['me-central-1', 'ENABLING'],
      ]),
    });
    expect(inputs).toEqual([
      { MaxResults: MAX_REGIONS_PER_PAGE },
      { MaxResults: MAX_REGIONS_PER_PAGE, NextToken: 'next' },
      { MaxResults: MAX_REGIONS_PER_PAGE, NextToken: 'again' },
    ]);
  });

  it('never throws: a denied ListRegions comes back as not listed, with the error, for the run to fall back on', async () => {
    account
      .on(ListRegionsCommand)
      .rejects(new AccessDeniedException({ message: 'not authorized to perform account:ListRegions', $metadata: {} }));

    expect(await regions().optStatuses()).toEqual({
      listed: false,
      error: 'AccessDeniedException: not authorized to perform account:ListRegions',
      verdict: 'PERMANENT',
    });
  });
});

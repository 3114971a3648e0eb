import { readFileSync } from 'node:fs';
import { partition } from '@aws-sdk/core/client';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { partitionOf, regionProblem } from '../../lambda/reconciler/ids';
import { REFUSED_REGIONS, REGIONS } from '../../lambda/reconciler/regions/list';
import { REGIONS_MODULE, regionsModule, sdkRegions } from '../../scripts/region-list';

describe('the generated region list', () => {
  it('is what `npm run regions` generates from the installed AWS SDK and aws-cdk-lib', () => {
    expect(readFileSync(REGIONS_MODULE, 'utf8')).toBe(regionsModule());
  });

  it('agrees with aws-cdk-lib’s RegionInfo and the SDK’s endpoint data on every region it supports', () => {
    expect(Object.keys(REGIONS).length).toBeGreaterThan(30);
    for (const [region, regionPartition] of Object.entries(REGIONS)) {
      expect([region, RegionInfo.get(region).partition]).toEqual([region, regionPartition]);
      // The SDK's own resolver, which its endpoint rules use: listed (a description), not just matched by a pattern.
      const resolved = partition(region) as { name: string; description?: string };
      expect([region, resolved.name, typeof resolved.description]).toEqual([region, regionPartition, 'string']);
    }
  });

  it('either supports or refuses every region either of them knows', () => {
    const known = new Set([...RegionInfo.regions.map((region) => region.name), ...sdkRegions().keys()]);
    for (const region of known) {
      expect([region, region in REGIONS || region in REFUSED_REGIONS]).toEqual([region, true]);
    }
    expect(Object.keys(REGIONS).filter((region) => region in REFUSED_REGIONS)).toEqual([]);
  });

  it('supports every partition: commercial, China, GovCloud, the European Sovereign Cloud and the ISO ones', () => {
    expect(new Set(Object.values(REGIONS))).toEqual(
      new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f']),
    );
    expect(partitionOf('eusc-de-east-1')).toBe('aws-eusc');
  });
});

describe('regionProblem', () => {
  it.each([
    ['us-east-9', '"us-east-9" is not an AWS region name this version knows (did you mean us-east-1?)'],
    ['EU', '"EU" is not an AWS region name this version knows'],
  ])('names %s and the nearest region', (region, message) => {
    expect(regionProblem(region)).toContain(message);
    expect(partitionOf(region)).toBeUndefined();
  });

  it('says why a region only one of the SDK and aws-cdk-lib knows is refused, and what to do', () => {
    for (const [region, reason] of Object.entries(REFUSED_REGIONS)) {
      expect(regionProblem(region)).toBe(
        `"${region}" is not supported by this version: ${reason}. Upgrade both, then run npm run regions`,
      );
    }
  });

  it('accepts every supported region', () => {
    expect(Object.keys(REGIONS).filter((region) => regionProblem(region) !== undefined)).toEqual([]);
  });
});

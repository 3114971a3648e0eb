import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const lock = JSON.parse(readFileSync(join(__dirname, '../../package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

describe('the AWS SDK clients', () => {
  it('share one set of @smithy and @aws-sdk/core packages: no client carries copies of its own', () => {
    const nested = Object.keys(lock.packages).filter((key) =>
      /node_modules\/.+\/node_modules\/@(smithy|aws-sdk)\//.test(key),
    );
    expect(nested).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
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

describe('the policy simulator (@cloud-copilot/iam-simulate, AGPL-3.0)', () => {
  const root = join(__dirname, '../..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('is a devDependency, never a dependency of what ships', () => {
    expect(pkg.devDependencies['@cloud-copilot/iam-simulate']).toBeDefined();
    expect(Object.keys(pkg.dependencies).filter((name) => name.startsWith('@cloud-copilot/'))).toEqual([]);
  });

  it('is imported by tests alone: nothing under bin/, lib/, lambda/, cli/ or local/ names it', () => {
    const sources = ['bin', 'lib', 'lambda', 'cli', 'local']
      .flatMap((directory) =>
        readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' }).map((file) => join(directory, file)),
      )
      .filter((file) => /\.[cm]?[jt]s$/.test(file));
    expect(sources).toContain(join('lambda', 'reconciler', 'handler.ts'));
    expect(sources.filter((file) => readFileSync(join(root, file), 'utf8').includes('@cloud-copilot/'))).toEqual([]);
  });
});

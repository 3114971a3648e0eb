import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * `cdk synth` loads lib/ and, through lambda/reconciler/constructs-entry.ts, the function's shared code (metric
 * names, the policy, the regions). None of it may construct the function's Powertools Logger or Metrics: those
 * are the handler's alone (observability/powertools.ts), created with the function's settings. Nor may it load
 * an AWS SDK client: those are the run's adapters', which synth never calls, and loading them cost every suite
 * that imports lib/ (and synth) about 70 modules and a few hundred milliseconds.
 */

const constructed = { loggers: 0, metrics: 0 };
const loadedClients = new Set<string>();

jest.mock('@aws-lambda-powertools/logger', () => {
  const actual = jest.requireActual('@aws-lambda-powertools/logger');
  class CountedLogger extends actual.Logger {
    constructor(...options: unknown[]) {
      super(...options);
      constructed.loggers += 1;
    }
  }
  return { ...actual, Logger: CountedLogger };
});

jest.mock('@aws-lambda-powertools/metrics', () => {
  const actual = jest.requireActual('@aws-lambda-powertools/metrics');
  class CountedMetrics extends actual.Metrics {
    constructor(...options: unknown[]) {
      super(...options);
      constructed.metrics += 1;
    }
  }
  return { ...actual, Metrics: CountedMetrics };
});

const ROOT = path.join(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');

// Every AWS SDK client the project depends on, recorded as it loads.
const SDK_CLIENTS = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies,
).filter((name) => name.startsWith('@aws-sdk/client-'));
for (const name of SDK_CLIENTS) {
  jest.mock(name, () => {
    loadedClients.add(name);
    return jest.requireActual(name);
  });
}

async function importLib(): Promise<void> {
  for (const file of readdirSync(LIB).filter((name) => name.endsWith('.ts'))) await import(path.join(LIB, file));
}

beforeEach(() => {
  constructed.loggers = 0;
  constructed.metrics = 0;
  loadedClients.clear();
});

describe('what synth imports', () => {
  it('lib/ and the function’s entries construct no Powertools Logger and no Metrics', async () => {
    await jest.isolateModulesAsync(async () => {
      await importLib();
      await import('../../lambda/reconciler');
    });

    expect(constructed).toEqual({ loggers: 0, metrics: 0 });
  });

  it('the handler constructs one of each as it loads: the count above can see one', async () => {
    await jest.isolateModulesAsync(async () => {
      await import('../../lambda/reconciler/handler');
    });

    expect(constructed).toEqual({ loggers: 1, metrics: 1 });
  });

  it('lib/ (through the construct-time entry) loads no AWS SDK client', async () => {
    await jest.isolateModulesAsync(async () => {
      await importLib();
      await import('../../lambda/reconciler/constructs-entry');
    });

    expect([...loadedClients]).toEqual([]);
  });

  it('the function’s full entry loads the run’s clients: the record above can see one', async () => {
    await jest.isolateModulesAsync(async () => {
      await import('../../lambda/reconciler');
    });

    expect(SDK_CLIENTS.length).toBeGreaterThanOrEqual(5);
    expect([...loadedClients].sort()).toEqual([
      '@aws-sdk/client-account',
      '@aws-sdk/client-inspector2',
      '@aws-sdk/client-organizations',
      '@aws-sdk/client-sqs',
      '@aws-sdk/client-ssm',
    ]);
  });
});

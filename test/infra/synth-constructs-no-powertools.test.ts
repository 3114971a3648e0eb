import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/*
 * `cdk synth` loads lib/ and, through lambda/reconciler/index.ts, the function's shared code (metric names,
 * the policy, the regions). None of it may construct the function's Powertools Logger or Metrics: those are
 * the handler's alone (observability/powertools.ts), created with the function's settings.
 */

const constructed = { loggers: 0, metrics: 0 };

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

const LIB = path.join(__dirname, '..', '..', 'lib');

beforeEach(() => {
  constructed.loggers = 0;
  constructed.metrics = 0;
});

describe('what synth imports', () => {
  it('lib/ and the function’s entry construct no Powertools Logger and no Metrics', async () => {
    await jest.isolateModulesAsync(async () => {
      for (const file of readdirSync(LIB).filter((name) => name.endsWith('.ts'))) await import(path.join(LIB, file));
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
});

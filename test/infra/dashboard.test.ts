import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { FINDINGS_METRIC, METRIC, SCAN_CONFIGURATION_METRIC } from '../../lambda/reconciler';
import { testApp } from '../support/app';

const ROOT = path.join(__dirname, '..', '..');

function template(config: Partial<ReconcilerConfig> = {}): Template {
  const app = testApp();
  const stack = new DeepInspectionStack(app, 'Test', {
    env: { account: '111122223333', region: 'eu-west-1' },
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: ROOT,
  });
  return Template.fromStack(stack);
}

/** Each graph's title and the metric search expressions it draws. */
function graphs(t: Template): Map<string, string[]> {
  const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<token>')).join(''));
  return new Map(
    body.widgets.map((widget: { properties: { title: string; metrics?: unknown[][] } }) => [
      widget.properties.title,
      (widget.properties.metrics ?? [])
        .flat()
        .flatMap((item) =>
          typeof item === 'object' && item !== null && 'expression' in item ? [String(item.expression)] : [],
        ),
    ]),
  );
}

describe('the dashboard', () => {
  it.each([
    ['rate(1 day)', 86400],
    ['rate(12 hours)', 43200],
  ])(
    'graphs effective coverage, a %s measurement, at the coverage schedule’s period (%d s), not the hourly run’s',
    (coverageSchedule, seconds) => {
      const drawn = graphs(template({ coverageSchedule }));
      const coverageGraphs = [...drawn].filter(
        ([title]) => title.startsWith('Effective coverage') || title.startsWith('Instances not deep-inspected'),
      );
      expect(coverageGraphs).toHaveLength(2);
      for (const [, expressions] of coverageGraphs) {
        expect(expressions.length).toBeGreaterThan(0);
        for (const expression of expressions) expect(expression).toMatch(new RegExp(`'Maximum', ${seconds}\\)$`));
      }
      // The run's own graphs stay at the reconcile schedule's period.
      expect(drawn.get('Deep inspection coverage: activated / eligible (%)')).toEqual([
        `SEARCH('{DeepInspectionReconciler,Region,service} MetricName="DeepInspectionCoverage"', 'Maximum', 3600)`,
      ]);
    },
  );

  it('draws the per-region counts from the runs’ region totals log lines (Logs Insights), not from metrics', () => {
    const [dashboard] = Object.values(template().findResources('AWS::CloudWatch::Dashboard'));
    const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('')) as {
      widgets: { type: string; properties: { title: string; query?: string; metrics?: unknown[] } }[];
    };
    const logWidgets = body.widgets.filter((widget) => widget.type === 'log');
    expect(logWidgets.map((widget) => widget.properties.title)).toEqual([
      'Changes per run, all regions (Logs Insights)',
      'Failures and report-only mismatches per run, all regions (Logs Insights)',
      'Skipped by reason per run, all regions (Logs Insights)',
      'Each region at its last run (Logs Insights)',
      'EC2 scan configuration by region, summed over the time range (Logs Insights)',
    ]);
    for (const widget of logWidgets) {
      expect(widget.properties.query).toMatch(/^SOURCE '<token>' \| filter message = "region totals"/);
    }
    const searched = JSON.stringify(body.widgets.map((widget) => widget.properties.metrics ?? []));
    // The headline coverage graph is still a metric search; none of the cut metrics is.
    expect(searched).toMatch(/MetricName=\W*DeepInspectionCoverage\W/);
    expect(searched).not.toMatch(
      /MetricName=\W*(Compliant|Activated|Deactivated|SkippedByReason|WouldActivate|Failed)\W/,
    );
  });
});

describe('the docs against the dashboard and the metrics', () => {
  const pages = ['README.md', 'RELIABILITY.md', ...readdirSync(path.join(ROOT, 'docs')).map((name) => `docs/${name}`)]
    .filter((page) => page.endsWith('.md'))
    .map((page) => ({ page, text: readFileSync(path.join(ROOT, page), 'utf8').replace(/\s+/g, ' ') }));

  it('names only graphs the dashboard has, by their titles', () => {
    const titles = new Set(graphs(template({ securityHubFindings: true })).keys());
    const named = pages.flatMap(({ page, text }) =>
      [...text.matchAll(/dashboard's "([^"]+)" graph/g)].map((match) => `${page}: ${match[1]}`),
    );

    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((entry) => !titles.has(entry.split(': ').slice(1).join(': ')))).toEqual([]);
  });

  it('names as a metric only what the function publishes', () => {
    const published = new Set<string>([
      ...Object.values(METRIC),
      ...Object.values(FINDINGS_METRIC),
      ...Object.values(SCAN_CONFIGURATION_METRIC),
    ]);
    const named = pages.flatMap(({ page, text }) =>
      [
        ...text.matchAll(/metrics? `([A-Z][A-Za-z]+)`(?:, `([A-Z][A-Za-z]+)`)*/g),
        ...text.matchAll(/`([A-Z][A-Za-z]+)` metric/g),
      ].flatMap((match) => match.slice(1).flatMap((name) => (name === undefined ? [] : [`${page}: ${name}`]))),
    );

    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((entry) => !published.has(entry.split(': ')[1] ?? ''))).toEqual([]);
  });
});

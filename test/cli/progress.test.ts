import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { LocalAwsEndpoint } from '../../local/aws-endpoint/server';
import { SimulatedOrganization } from '../../local/simulated-organization';
import { commandProgress } from '../../cli/progress';
import { runCli } from '../support/cli';

const REGIONS = ['us-east-1', 'eu-west-1'];
let endpoint: LocalAwsEndpoint | undefined;
let file: string;
const savedEnv = { ...process.env };

/** A terminal's stderr, recording what was drawn and when. */
class FakeTerminalStream extends Writable {
  readonly columns = 160;
  readonly frames: { at: number; text: string }[] = [];

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    // What a person sees: the text, without the cursor movements and line clearing around it.
    // eslint-disable-next-line no-control-regex
    const text = chunk.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    this.frames.push({ at: Date.now(), text });
    callback();
  }

  get drawn(): string {
    return this.frames.map((frame) => frame.text).join('');
  }
}

async function start(accounts: number) {
  const organization = SimulatedOrganization.generate({ accounts, regions: REGIONS, activated: 0.3, seed: 9 });
  const started = await LocalAwsEndpoint.start(organization);
  endpoint = started;
  Object.assign(process.env, started.environment(), { AWS_REGION: 'us-east-1' });
  file = path.join(mkdtempSync(path.join(tmpdir(), 'progress-')), 'policy.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      default: 'ACTIVATED',
      regions: REGIONS,
      guardrails: { maxDeactivationsPerRun: 1000 },
    }),
  );
  return organization;
}

afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
  process.env = { ...savedEnv };
});

describe('progress on a terminal', () => {
  it('counts the accounts listed as their pages come, then each region’s reads', async () => {
    await start(500);
    // Organizations at a slow pace: 25 pages at 8 requests a second, over two seconds of listing.
    const stream = new FakeTerminalStream(true);
    const started = Date.now();
    const { status } = await runCli(['plan', '--policy-file', file], {
      progressStream: stream,
      env: { ...process.env, ORGANIZATIONS_REQUESTS_PER_SECOND: '8' },
    });
    expect(status).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(2000);
    // The listing is drawn as it goes: several counts, rising, each a multiple of a page (20 accounts).
    const listed = [...stream.drawn.matchAll(/organization: (\d+) accounts listed \((\d+) pages?\)/g)].map((m) =>
      Number(m[1]),
    );
    expect(new Set(listed).size).toBeGreaterThanOrEqual(3);
    expect([...listed].sort((a, b) => a - b)).toEqual(listed);
    for (const count of listed) expect(count % 20).toBe(0);
    // The last frame has each region's reads, all of them.
    for (const region of REGIONS) expect(stream.drawn).toMatch(new RegExp(`${region} read +\\[=+\\] 500/500 accounts`));
  });

  it('is never still for two seconds: the elapsed time ticks even when no count moves (on a fake clock)', () => {
    // Jest's fake timers fake Date too: the bars' redraws and their elapsed time run on the test's clock, so the
    // gaps measured are the display's own, not how long a loaded machine took to get round to drawing.
    jest.useFakeTimers();
    try {
      const stream = new FakeTerminalStream(true);
      const progress = commandProgress(stream, false);
      const started = Date.now();
      progress.step('reading the organization');
      jest.advanceTimersByTime(3_000);
      progress.step('organization: 20 accounts listed (1 page)');
      jest.advanceTimersByTime(4_000);
      const ended = Date.now();
      progress.stop();

      const visible = stream.frames.filter(
        (frame, i, all) => frame.text.trim() !== '' && frame.text !== all[i - 1]?.text,
      );
      expect(visible.length).toBeGreaterThanOrEqual(6);
      const times = [started, ...visible.map((frame) => frame.at), ended];
      const gaps = times.slice(1).map((at, i) => at - (times[i] ?? at));
      expect(Math.max(...gaps)).toBeLessThan(2000);
      expect(stream.drawn).toContain('organization: 20 accounts listed (1 page)');
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts each region’s writes as apply makes them', async () => {
    await start(300);
    const stream = new FakeTerminalStream(true);
    const { status, stdout } = await runCli(['apply', '--yes', '--policy-file', file, '--output', 'json'], {
      progressStream: stream,
    });
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    for (const region of result.regions as { region: string; totals: { activated: number } }[]) {
      const n = region.totals.activated;
      expect(n).toBeGreaterThan(0);
      expect(stream.drawn).toMatch(new RegExp(`${region.region} written \\[=+\\] ${n}/${n} accounts`));
    }
  });

  it('draws nothing when stderr is not a terminal, or with --quiet', async () => {
    await start(60);
    const pipe = new FakeTerminalStream(false);
    const quiet = new FakeTerminalStream(true);
    expect((await runCli(['plan', '--policy-file', file], { progressStream: pipe })).status).toBe(0);
    expect((await runCli(['plan', '--quiet', '--policy-file', file], { progressStream: quiet })).status).toBe(0);
    expect(pipe.frames).toEqual([]);
    expect(quiet.frames).toEqual([]);
  });
});

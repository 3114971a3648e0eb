import { MultiBar, type SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../lambda/reconciler';
import type { ProgressStream } from './terminal';

/**
 * Progress of a long command on a terminal: the organization's accounts as their pages arrive, then
 * per region the accounts read and written as each batch returns. The counts come from the SDK
 * clients themselves (a middleware on each), so every adapter is observed without a line of it
 * changed; reconcile()'s own steps add the totals. Nothing at all when stderr is not a terminal or
 * with --quiet: a script's stderr gets no escape codes.
 */
export interface CommandProgress {
  /** reconcile()'s and measureCoverage()'s `progress` callback. */
  readonly step: (message: string, event?: ProgressEvent) => void;
  /** Counts this client's Organizations calls: accounts listed, and the tree walk's pages. */
  watchOrganizations(client: WatchableClient): void;
  /** Counts this region's Inspector calls: accounts read, accounts written, coverage pages. */
  watchInspector(region: string, client: WatchableClient): void;
  /** Before an apply: the accounts each region will write, for its bar's total. */
  expectWrites(perRegion: ReadonlyMap<string, number>): void;
  /** Clears the bars' timer and leaves the last state on screen; the next output starts on a fresh line. */
  stop(): void;
}

/** The part of an SDK client's middleware stack this needs (its `add` at the initialize step). */
export interface WatchableClient {
  readonly middlewareStack: object;
}

type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
  context: { commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;

interface Stack {
  add(middleware: Middleware, options: { step: 'initialize'; name: string }): void;
}

/** A no-op, for a non-terminal and --quiet. */
export const NO_PROGRESS: CommandProgress = {
  step: () => undefined,
  watchOrganizations: () => undefined,
  watchInspector: () => undefined,
  expectWrites: () => undefined,
  stop: () => undefined,
};

export function commandProgress(stream: ProgressStream | undefined, quiet: boolean): CommandProgress {
  return stream?.isTTY && !quiet ? new TerminalProgress(stream) : NO_PROGRESS;
}

const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);
const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
const MIDDLEWARE = 'deepInspectionCliProgress';

/**
 * Calls `onDone` once an operation has succeeded: at the initialize step, outside the retry loop,
 * so a retried call counts once.
 */
function watch(
  client: WatchableClient,
  onDone: (operation: string, input: Record<string, unknown>, output: Record<string, unknown>) => void,
) {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      const result = await next(args);
      onDone(context.commandName ?? '', args.input, result.output ?? {});
      return result;
    },
    { step: 'initialize', name: MIDDLEWARE },
  );
}

/**
 * One MultiBar a phase: reading and planning, then (apply) writing. stop() ends a phase and leaves
 * its last state on screen; the next count starts a new one below whatever was printed in between.
 */
class TerminalProgress implements CommandProgress {
  private phase?: { readonly bars: MultiBar; readonly status: SingleBar };
  private readonly watched = new WeakSet<object>();
  private listed = 0;
  private pages = 0;
  private toRead?: number;
  private readonly reads = new Map<string, SingleBar>();
  private readonly writes = new Map<string, SingleBar>();
  private readonly coverage = new Map<string, { bar: SingleBar; instances: number; pages: number }>();

  constructor(private readonly stream: ProgressStream) {}

  private get bars(): MultiBar {
    return this.current().bars;
  }

  private get status(): SingleBar {
    return this.current().status;
  }

  private current(): { readonly bars: MultiBar; readonly status: SingleBar } {
    if (this.phase === undefined) {
      const bars = new MultiBar({
        stream: this.stream,
        // Redrawn twice a second even when no count moves: the elapsed time shows it has not hung.
        fps: 2,
        clearOnComplete: false,
        hideCursor: false,
        autopadding: true,
        barsize: 30,
        format: '{label} [{bar}] {value}/{total} {unit}',
        formatValue: (value, _options, type) =>
          type === 'value' || type === 'total' ? value.toLocaleString('en-US') : String(value),
      });
      const status = bars.create(1, 0, { text: 'starting' }, { format: '{duration_formatted} {text}' });
      this.phase = { bars, status };
      // The bars turn the terminal's line wrapping off while they draw: Ctrl-C must give it back.
      process.once('SIGINT', this.interrupted);
    }
    return this.phase;
  }

  /** An arrow: handed to reconcile() as a plain callback. */
  readonly step = (message: string, event?: ProgressEvent): void => {
    if (event?.step === 'listed') {
      this.toRead = event.toRead;
      for (const bar of this.reads.values()) bar.setTotal(event.toRead);
    }
    this.status.update({ text: message });
  };

  watchOrganizations(client: WatchableClient): void {
    if (this.watched.has(client)) return;
    this.watched.add(client);
    watch(client, (operation, _input, output) => {
      if (operation !== 'ListAccountsCommand') return;
      this.pages += 1;
      this.listed += count(output.Accounts);
      this.status.update({
        text: `organization: ${this.listed.toLocaleString('en-US')} accounts listed (${plural(this.pages, 'page')})`,
      });
    });
  }

  watchInspector(region: string, client: WatchableClient): void {
    if (this.watched.has(client)) return;
    this.watched.add(client);
    watch(client, (operation, input, output) => {
      if (operation === 'BatchGetAccountStatusCommand') {
        this.readBar(region).increment(count(input.accountIds));
      } else if (operation === 'BatchUpdateMemberEc2DeepInspectionStatusCommand') {
        this.writeBar(region).increment(count(input.accountIds));
      } else if (
        operation === 'UpdateEc2DeepInspectionConfigurationCommand' ||
        operation === 'UpdateConfigurationCommand'
      ) {
        this.writeBar(region).increment(1);
      } else if (operation === 'ListCoverageCommand') {
        const tally = this.coverageBar(region);
        tally.pages += 1;
        tally.instances += count(output.coveredResources);
        tally.bar.update({
          text: `${tally.instances.toLocaleString('en-US')} instances (${plural(tally.pages, 'page')})`,
        });
      }
    });
  }

  expectWrites(perRegion: ReadonlyMap<string, number>): void {
    for (const [region, total] of perRegion) if (total > 0) this.writeBar(region).setTotal(total);
  }

  /** Restores the terminal (bars stopped, wrapping on), then lets the interrupt end the process as it would have. */
  private readonly interrupted = (): void => {
    this.phase?.bars.stop();
    process.kill(process.pid, 'SIGINT');
  };

  stop(): void {
    process.removeListener('SIGINT', this.interrupted);
    this.phase?.bars.stop();
    this.phase = undefined;
    this.reads.clear();
    this.writes.clear();
    this.coverage.clear();
  }

  private readBar(region: string): SingleBar {
    let bar = this.reads.get(region);
    if (bar === undefined) {
      bar = this.bars.create(this.toRead ?? 0, 0, { label: `${region} read   `, unit: 'accounts' });
      this.reads.set(region, bar);
    }
    return bar;
  }

  private writeBar(region: string): SingleBar {
    let bar = this.writes.get(region);
    if (bar === undefined) {
      bar = this.bars.create(0, 0, { label: `${region} written`, unit: 'accounts' });
      this.writes.set(region, bar);
    }
    return bar;
  }

  private coverageBar(region: string) {
    let tally = this.coverage.get(region);
    if (tally === undefined) {
      const bar = this.bars.create(1, 0, { label: `${region} coverage`, text: '' }, { format: '{label}: {text}' });
      tally = { bar, instances: 0, pages: 0 };
      this.coverage.set(region, tally);
    }
    return tally;
  }
}

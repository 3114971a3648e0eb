import {
  type FindingsFilter,
  type ImportResult,
  MAX_FILTER_VALUES,
  type OpenFindings,
  type RegionSecurityHub,
} from '../../lambda/reconciler/aws/securityhub';
import type { AsffFinding } from '../../lambda/reconciler/findings/asff';
import type { LedgerEntry, LedgerSnapshot, LedgerStore } from '../../lambda/reconciler/guardrail/ledger';

/*
 * The tests' in-memory ports. The ones served from a simulated organization (the account directory, Inspector,
 * the failure queue, the policy) are the metrics benchmark's too, so they live in bench/in-memory-ports.ts.
 */
export {
  InMemoryDirectory,
  InMemoryInspector,
  InMemoryQueue,
  type InspectorFaults,
  StaticPolicySource,
} from '../../bench/in-memory-ports';

/** The deactivation ledger in memory, versioned as SSM versions a parameter; faults on demand. */
export class InMemoryLedger implements LedgerStore {
  readonly name = 'in-memory ledger';
  entries: LedgerEntry[] = [];
  version = 0;
  writes = 0;
  failReads?: Error;
  failWrites?: Error;
  /** Runs once, just before the next write lands: another run writing in between. */
  beforeNextWrite?: () => void;

  async read(): Promise<LedgerSnapshot> {
    if (this.failReads) throw this.failReads;
    return { entries: [...this.entries], version: this.version };
  }

  async write(entries: readonly LedgerEntry[]): Promise<number> {
    if (this.failWrites) throw this.failWrites;
    const interleaved = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    interleaved?.();
    this.writes += 1;
    this.entries = [...entries];
    this.version += 1;
    return this.version;
  }
}

/**
 * One region's Security Hub in memory, as the findings step sees it: this product's findings by Id, open
 * and archived (an archived one leaves the open ones), every call counted and logged. Not enabled, or
 * failing GetFindings, on demand.
 */
export class InMemorySecurityHub implements RegionSecurityHub {
  calls = 0;
  readonly log: string[] = [];
  readonly open = new Map<string, AsffFinding>();
  readonly archived = new Map<string, AsffFinding>();
  enabled = true;
  /** Thrown by every GetFindings when set. */
  failGetFindings?: Error;

  async openFindings(): Promise<OpenFindings> {
    this.calls += 1;
    this.log.push('GetFindings');
    if (this.failGetFindings) throw this.failGetFindings;
    if (!this.enabled) return { enabled: false, reason: 'InvalidAccessException: not subscribed' };
    return { enabled: true, findings: [...this.open.values()], unrecognized: 0 };
  }

  async archivedFindings(_filter: FindingsFilter, ids: readonly string[]): Promise<AsffFinding[]> {
    const found: AsffFinding[] = [];
    for (let start = 0; start < ids.length; start += MAX_FILTER_VALUES) {
      this.calls += 1;
      this.log.push('GetFindings ARCHIVED');
      if (this.failGetFindings) throw this.failGetFindings;
      for (const id of ids.slice(start, start + MAX_FILTER_VALUES)) {
        const finding = this.archived.get(id);
        if (finding) found.push(finding);
      }
    }
    return found;
  }

  async importFindings(findings: readonly AsffFinding[]): Promise<ImportResult> {
    this.calls += 1;
    this.log.push(`BatchImportFindings ${findings.length}`);
    for (const finding of findings) {
      const [to, from] = finding.RecordState === 'ARCHIVED' ? [this.archived, this.open] : [this.open, this.archived];
      from.delete(finding.Id);
      to.set(finding.Id, finding);
    }
    return { imported: findings.map((finding) => finding.Id), failed: [], notReached: [] };
  }
}

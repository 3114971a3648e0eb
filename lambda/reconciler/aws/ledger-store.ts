import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  EMPTY_LEDGER,
  type LedgerEntry,
  type LedgerSnapshot,
  type LedgerStore,
  ledgerDocumentSchema,
} from '../guardrail/ledger';
import { problemsFrom } from '../validation';

/** The empty ledger, as the reset and recreate command writes it. */
export function resetCommand(parameterName: string): string {
  return `aws ssm put-parameter --name ${parameterName} --type String --overwrite --value '${EMPTY_LEDGER}'`;
}

/** The ledger parameter does not exist: it was deleted by hand, since the deploy creates it and never deletes it. */
export class LedgerMissingError extends Error {
  override readonly name = 'LedgerMissingError';
  constructor(parameterName: string, options?: { cause?: unknown }) {
    super(
      `SSM parameter ${parameterName} does not exist: the stack creates the deactivation ledger at its first deploy and nothing else deletes it, so it was deleted. Every deactivation is held until it is recreated: ${resetCommand(parameterName)} (the daily count restarts)`,
      options,
    );
  }
}

/**
 * The deactivation ledger in an SSM String parameter of its own: no new service for a few hundred
 * bytes, read and written with the client the policy already uses. Runs never overlap by default,
 * so it has one writer at a time; PutParameter's version shows a write in between when they do.
 */
export class ParameterLedgerStore implements LedgerStore {
  readonly name: string;

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
  ) {
    this.name = `SSM parameter ${parameterName}`;
  }

  async read(abortSignal?: AbortSignal): Promise<LedgerSnapshot> {
    let parameter: { Value?: string; Version?: number } | undefined;
    try {
      const output = await this.client.send(new GetParameterCommand({ Name: this.parameterName }), { abortSignal });
      parameter = output.Parameter;
    } catch (error) {
      // The first deploy creates it and no deploy deletes it (lib/guardrail-ledger.ts): missing means
      // deleted, and the deactivations it counted are unknown. The guardrail holds them (fails closed).
      if ((error as Error).name === 'ParameterNotFound')
        throw new LedgerMissingError(this.parameterName, { cause: error });
      throw error;
    }
    let document: unknown;
    try {
      document = JSON.parse(parameter?.Value ?? '');
    } catch {
      throw new Error(`${this.name} is not JSON`);
    }
    const result = ledgerDocumentSchema.safeParse(document);
    if (!result.success) {
      const problems = problemsFrom(result.error).map((p) => `${p.path}: ${p.message}`);
      throw new Error(`${this.name} is not a deactivation ledger (${problems.join('; ')})`);
    }
    return { entries: result.data.entries, version: parameter?.Version ?? 0 };
  }

  async write(entries: readonly LedgerEntry[], abortSignal?: AbortSignal): Promise<number> {
    const output = await this.client.send(
      new PutParameterCommand({
        Name: this.parameterName,
        Value: JSON.stringify({ version: 1, entries }),
        Type: 'String',
        Overwrite: true,
      }),
      { abortSignal },
    );
    return output.Version ?? 0;
  }
}

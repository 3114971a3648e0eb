import type { PolicySource } from '../lambda/reconciler/aws/policy-store';
import { readPolicyFile } from '../lambda/reconciler/policy/file';
import type { ParameterTier } from '../lambda/reconciler/policy/read';
import { type Policy, parsePolicy } from '../lambda/reconciler/policy/schema';

/**
 * A policy in a local file: a preview before it is deployed, read as synth reads it (policy/read.ts),
 * held to the size of the tier it will be stored in, so that nothing is planned that cannot be deployed.
 */
export class FilePolicySource implements PolicySource {
  constructor(
    private readonly file: string,
    private readonly tier: ParameterTier = 'Standard',
  ) {}

  async load(): Promise<Policy> {
    return { ...parsePolicy(readPolicyFile(this.file), this.file, { tier: this.tier }), origin: `file ${this.file}` };
  }
}

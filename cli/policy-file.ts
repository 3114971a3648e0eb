import { type ParameterTier, parsePolicy, type Policy, type PolicySource, readPolicyFile } from '../lambda/reconciler';

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

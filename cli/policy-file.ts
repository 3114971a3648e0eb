import { readFile } from 'node:fs/promises';
import type { PolicySource } from '../lambda/reconciler/aws/policy-store';
import { PolicyError } from '../lambda/reconciler/errors';
import { type Policy, parsePolicy } from '../lambda/reconciler/policy/schema';

/** A policy in a local file: a preview before it is deployed. */
export class FilePolicySource implements PolicySource {
  constructor(private readonly file: string) {}

  async load(): Promise<Policy> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      throw new PolicyError(this.file, [{ path: '$', message: `cannot read the file: ${(cause as Error).message}` }], {
        cause,
      });
    }
    return { ...parsePolicy(text, this.file), origin: `file ${this.file}` };
  }
}

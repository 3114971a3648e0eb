import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from '../describe-error';
import { PolicyError } from '../errors';
import { type Policy, parsePolicy } from '../policy';

export interface PolicySource {
  /** Loads and validates the policy; throws PolicyError naming what is wrong and where. */
  load(): Promise<Policy>;
}

/**
 * The policy as stored in an SSM String parameter. Read with GetParameter itself rather than
 * Powertools Parameters, which returns the value alone: the summary names the parameter version the
 * run used, so "who changed this, and when" can be matched to the run it changed.
 */
export class ParameterPolicySource implements PolicySource {
  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
  ) {}

  async load(): Promise<Policy> {
    const source = `SSM parameter ${this.parameterName}`;
    let parameter: { Value?: string; Version?: number } | undefined;
    try {
      parameter = (await this.client.send(new GetParameterCommand({ Name: this.parameterName }))).Parameter;
    } catch (cause) {
      const message =
        (cause as Error).name === 'ParameterNotFound'
          ? 'the parameter does not exist'
          : `could not be read: ${describeError(cause)}`;
      throw new PolicyError(source, [{ path: '$', message }], { cause });
    }
    const policy = parsePolicy(parameter?.Value, source);
    return { ...policy, origin: `${source} version ${parameter?.Version ?? 'unknown'}` };
  }
}

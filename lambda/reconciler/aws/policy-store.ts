import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from '../errors/describe-error';
import { classifyError, isAccessDenied } from '../errors/classification';
import { PolicyError, TransientError } from '../errors/errors';
import { type Policy, parsePolicy } from '../policy/schema';

export interface PolicySource {
  /**
   * Loads and validates the policy. Throws PolicyError for what is wrong with the policy itself
   * (missing, not JSON, invalid, access to it denied), naming what and where; TransientError when a
   * retry is expected to read it (throttled, timed out, a 5xx); any other error as it is.
   */
  load(abortSignal?: AbortSignal): Promise<Policy>;
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

  async load(abortSignal?: AbortSignal): Promise<Policy> {
    const source = `SSM parameter ${this.parameterName}`;
    let parameter: { Value?: string; Version?: number } | undefined;
    try {
      parameter = (await this.client.send(new GetParameterCommand({ Name: this.parameterName }), { abortSignal }))
        .Parameter;
    } catch (cause) {
      // Only what is wrong with the policy (or with access to it) is a policy problem: a throttled or
      // timed-out read is not an invalid policy, and must not be reported and alarmed as one.
      if ((cause as Error).name === 'ParameterNotFound') {
        throw new PolicyError(source, [{ path: '$', message: 'the parameter does not exist' }], { cause });
      }
      if (isAccessDenied(cause)) {
        const message = `access denied (${describeError(cause)}): allow ssm:GetParameter on it`;
        throw new PolicyError(source, [{ path: '$', message }], { cause });
      }
      if (classifyError(cause) === 'TRANSIENT') throw new TransientError(`reading the policy (${source})`, { cause });
      throw cause;
    }
    const policy = parsePolicy(parameter?.Value, source);
    return { ...policy, origin: `${source} version ${parameter?.Version ?? 'unknown'}` };
  }
}

import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { PolicyError } from '../errors';
import { type Policy, parsePolicy } from '../policy';

export interface PolicySource {
  /** Loads and validates the policy; throws PolicyError naming what is wrong and where. */
  load(): Promise<Policy>;
}

/**
 * The policy as stored in an SSM String parameter, read with Powertools Parameters.
 * Made once per invocation, so its cache never serves a policy older than the run: a manual run right after an edit sees it.
 */
export class ParameterPolicySource implements PolicySource {
  private readonly provider: SSMProvider;

  constructor(
    client: SSMClient,
    private readonly parameterName: string,
  ) {
    this.provider = new SSMProvider({ awsSdkV3Client: client });
  }

  async load(): Promise<Policy> {
    const source = `SSM parameter ${this.parameterName}`;
    let text: string | undefined;
    try {
      text = await this.provider.get(this.parameterName);
    } catch (cause) {
      const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause : cause) : undefined;
      const message =
        reason?.name === 'ParameterNotFound'
          ? 'the parameter does not exist'
          : `could not be read: ${reason ? `${reason.name}: ${reason.message}` : String(cause)}`;
      throw new PolicyError(source, [{ path: '$', message }], { cause });
    }
    return parsePolicy(text, source);
  }
}

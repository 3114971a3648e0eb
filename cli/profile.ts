import { loadSharedConfigFiles } from '@smithy/core/config';
import { UsageError } from './errors';

/** The AWS profile a command runs with, and the region it names, resolved as the AWS CLI resolves them. */
export interface AwsProfile {
  /** `--profile`, else AWS_PROFILE; undefined: the SDK's default chain with no profile named. */
  readonly name?: string;
  /** The profile's `region` in the shared config file (`default` when none is named), if it sets one. */
  readonly region?: string;
}

/**
 * The profile as the AWS CLI takes it: `--profile` before AWS_PROFILE, and the profile's `region` after
 * `--region`, AWS_REGION and AWS_DEFAULT_REGION (AWS CLI User Guide, "Configuration and credential file
 * settings"). A named profile that is in neither shared file (~/.aws/config, ~/.aws/credentials, or
 * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) is a UsageError naming it, before any AWS call, the
 * same in every command.
 */
export async function resolveProfile(option: string | undefined, env: NodeJS.ProcessEnv): Promise<AwsProfile> {
  const name = option ?? env.AWS_PROFILE;
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  if (name !== undefined) {
    if (configFile[name] === undefined && credentialsFile[name] === undefined) {
      const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])]
        .filter((profile) => !profile.includes('.'))
        .sort();
      throw new UsageError(
        `${option !== undefined ? '--profile' : 'AWS_PROFILE'} ${JSON.stringify(name)}: no such profile in ${env.AWS_CONFIG_FILE ?? '~/.aws/config'} or ${env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'}` +
          `${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}: check the name, or create it with \`aws configure --profile ${name}\` (or \`aws configure sso\`)`,
      );
    }
  }
  const region = configFile[name ?? 'default']?.region;
  return { ...(name === undefined ? {} : { name }), ...(region === undefined ? {} : { region }) };
}

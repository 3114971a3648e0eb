/**
 * Checks that an `aws …` command line names a real AWS CLI command and real options, without an AWS CLI
 * or a network: against AWS's own service models where the project keeps one
 * (botocore's, copied into local/aws-endpoint/models/: its README.md says which), and for the commands of
 * services it keeps none of (or operations its trimmed models leave out), against a short allow-list
 * citing each command's AWS CLI reference page.
 *
 * How the AWS CLI names things (awscli's clidriver, botocore's `xform_name`, botocore/__init__.py): an
 * operation `BatchGetAccountStatus` is the command `batch-get-account-status`, an input member
 * `MessageAttributeNames` the option `--message-attribute-names`; a boolean member also takes
 * `--no-<name>`; a list member takes one or more values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './doc-commands';

type Arity = 'flag' | 'value' | 'list';

/** botocore's `xform_name(name, '-')` (botocore/__init__.py, boto/botocore at 0e6e2404). */
export function xformName(name: string): string {
  let transformed = name;
  const special = /[A-Z]{2,}s$/.exec(transformed);
  if (special) transformed = `${transformed.slice(0, -special[0].length)}-${special[0].toLowerCase()}`;
  return transformed
    .replace(/(.)([A-Z][a-z]+)/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/** The AWS CLI's global options, on every command (https://docs.aws.amazon.com/cli/latest/reference/index.html). */
const GLOBAL_OPTIONS: Record<string, Arity> = {
  '--debug': 'flag',
  '--endpoint-url': 'value',
  '--no-verify-ssl': 'flag',
  '--no-paginate': 'flag',
  '--output': 'value',
  '--query': 'value',
  '--profile': 'value',
  '--region': 'value',
  '--version': 'flag',
  '--color': 'value',
  '--no-sign-request': 'flag',
  '--ca-bundle': 'value',
  '--cli-read-timeout': 'value',
  '--cli-connect-timeout': 'value',
  '--cli-binary-format': 'value',
  '--no-cli-pager': 'flag',
  '--cli-auto-prompt': 'flag',
  '--no-cli-auto-prompt': 'flag',
};

/** What every command generated from an API operation takes besides its members. */
const OPERATION_OPTIONS: Record<string, Arity> = {
  '--cli-input-json': 'value',
  '--cli-input-yaml': 'value',
  '--generate-cli-skeleton': 'value',
};

/** A paginated operation's options ("describe-alarm-history is a paginated operation"). */
const PAGINATION: Record<string, Arity> = {
  '--starting-token': 'value',
  '--page-size': 'value',
  '--max-items': 'value',
};

interface AllowedCommand {
  /** The AWS CLI reference page the entry is taken from. */
  readonly source: string;
  readonly options: Record<string, Arity>;
  readonly required?: readonly string[];
  /** Positional arguments the command requires (lambda invoke's outfile, logs tail's group_name). */
  readonly positionals?: number;
  /** A CLI customization, not an API operation: no --cli-input-json. */
  readonly customization?: boolean;
}

const REFERENCE = 'https://docs.aws.amazon.com/cli/latest/reference';

/**
 * The commands the docs use whose service (or operation) has no model here. Each entry is the synopsis
 * of its reference page; the API operations' members were also checked against botocore's models
 * (boto/botocore at 0e6e2404, botocore/data/<service>/<version>/service-2.json) when the entry was written.
 */
export const ALLOWED: Readonly<Record<string, AllowedCommand>> = {
  'lambda invoke': {
    source: `${REFERENCE}/lambda/invoke.html`,
    options: {
      '--function-name': 'value',
      '--invocation-type': 'value',
      '--log-type': 'value',
      '--client-context': 'value',
      '--durable-execution-name': 'value',
      '--payload': 'value',
      '--qualifier': 'value',
      '--tenant-id': 'value',
    },
    required: ['--function-name'],
    positionals: 1,
  },
  'lambda get-account-settings': { source: `${REFERENCE}/lambda/get-account-settings.html`, options: {} },
  'lambda get-function-configuration': {
    source: `${REFERENCE}/lambda/get-function-configuration.html`,
    options: { '--function-name': 'value', '--qualifier': 'value' },
    required: ['--function-name'],
  },
  'logs tail': {
    source: `${REFERENCE}/logs/tail.html`,
    options: {
      '--since': 'value',
      '--follow': 'flag',
      '--format': 'value',
      '--filter-pattern': 'value',
      '--log-stream-names': 'list',
      '--log-stream-name-prefix': 'value',
    },
    positionals: 1,
    customization: true,
  },
  'cloudwatch set-alarm-state': {
    source: `${REFERENCE}/cloudwatch/set-alarm-state.html`,
    options: {
      '--alarm-name': 'value',
      '--state-value': 'value',
      '--state-reason': 'value',
      '--state-reason-data': 'value',
    },
    required: ['--alarm-name', '--state-value', '--state-reason'],
  },
  'cloudwatch describe-alarm-history': {
    source: `${REFERENCE}/cloudwatch/describe-alarm-history.html`,
    options: {
      '--alarm-name': 'value',
      '--alarm-contributor-id': 'value',
      '--alarm-types': 'list',
      '--history-item-type': 'value',
      '--start-date': 'value',
      '--end-date': 'value',
      '--scan-by': 'value',
      ...PAGINATION,
    },
  },
  'cloudwatch describe-alarms': {
    source: `${REFERENCE}/cloudwatch/describe-alarms.html`,
    options: {
      '--alarm-names': 'list',
      '--alarm-name-prefix': 'value',
      '--alarm-types': 'list',
      '--children-of-alarm-name': 'value',
      '--parents-of-alarm-name': 'value',
      '--state-value': 'value',
      '--action-prefix': 'value',
      ...PAGINATION,
    },
  },
  'scheduler get-schedule': {
    source: `${REFERENCE}/scheduler/get-schedule.html`,
    options: { '--name': 'value', '--group-name': 'value' },
    required: ['--name'],
  },
  'sso login': {
    source: `${REFERENCE}/sso/login.html`,
    options: { '--no-browser': 'flag', '--use-device-code': 'flag', '--sso-session': 'value' },
    customization: true,
  },
  'cloudformation describe-stacks': {
    source: `${REFERENCE}/cloudformation/describe-stacks.html`,
    options: { '--stack-name': 'value', ...PAGINATION },
  },
  'ssm label-parameter-version': {
    source: `${REFERENCE}/ssm/label-parameter-version.html`,
    options: { '--name': 'value', '--parameter-version': 'value', '--labels': 'list' },
    required: ['--name', '--labels'],
  },
  'ssm delete-parameter': {
    source: `${REFERENCE}/ssm/delete-parameter.html`,
    options: { '--name': 'value' },
    required: ['--name'],
  },
  'sqs purge-queue': {
    source: `${REFERENCE}/sqs/purge-queue.html`,
    options: { '--queue-url': 'value' },
    required: ['--queue-url'],
  },
  'account enable-region': {
    source: `${REFERENCE}/account/enable-region.html`,
    options: { '--account-id': 'value', '--region-name': 'value' },
    required: ['--region-name'],
  },
};

interface Shape {
  readonly type: string;
  readonly members?: Record<string, { readonly shape: string }>;
  readonly required?: readonly string[];
  readonly enum?: readonly string[];
}
interface ServiceModel {
  readonly operations: Record<string, { readonly input?: { readonly shape: string } }>;
  readonly shapes: Record<string, Shape>;
}

/** The service models the project keeps, by the AWS CLI's service name (the file name). */
function loadModels(): Map<string, ServiceModel> {
  const directory = path.join(ROOT, 'local', 'aws-endpoint', 'models');
  return new Map(
    readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [
        name.replace(/\.json$/, ''),
        JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as ServiceModel,
      ]),
  );
}

let models: Map<string, ServiceModel> | undefined;

interface Resolved {
  readonly options: Record<string, Arity>;
  readonly required: readonly string[];
  readonly positionals: number;
  readonly enums: Record<string, readonly string[]>;
}

/** What `aws <service> <operation>` takes, from its model or the allow-list; a problem if neither knows it. */
function resolve(service: string, operation: string): Resolved | string {
  models ??= loadModels();
  const model = models.get(service);
  const modelled = model ? Object.entries(model.operations).find(([name]) => xformName(name) === operation) : undefined;
  if (model && modelled) {
    const [, definition] = modelled;
    const input = definition.input ? model.shapes[definition.input.shape] : undefined;
    const options: Record<string, Arity> = { ...OPERATION_OPTIONS };
    const enums: Record<string, readonly string[]> = {};
    for (const [member, reference] of Object.entries(input?.members ?? {})) {
      const shape = model.shapes[reference.shape];
      const option = `--${xformName(member)}`;
      options[option] = shape?.type === 'boolean' ? 'flag' : shape?.type === 'list' ? 'list' : 'value';
      if (shape?.type === 'boolean') options[`--no-${xformName(member)}`] = 'flag';
      if (shape?.enum) enums[option] = shape.enum;
    }
    if (input?.members && Object.keys(input.members).some((member) => /^next-?token$/i.test(member))) {
      Object.assign(options, PAGINATION);
    }
    return {
      options,
      required: (input?.required ?? []).map((member) => `--${xformName(member)}`),
      positionals: 0,
      enums,
    };
  }
  const allowed = ALLOWED[`${service} ${operation}`];
  if (allowed) {
    return {
      options: { ...(allowed.customization ? {} : OPERATION_OPTIONS), ...allowed.options },
      required: allowed.required ?? [],
      positionals: allowed.positionals ?? 0,
      enums: {},
    };
  }
  return model
    ? `aws ${service} ${operation}: the ${service} model has no operation that the AWS CLI calls "${operation}" (${Object.keys(
        model.operations,
      )
        .map(xformName)
        .join(', ')}), and it is not in the allow-list`
    : `aws ${service} ${operation}: no model of "${service}" here and not in the allow-list (test/docs/aws-cli.ts)`;
}

/**
 * The problems with one `aws` command line, given its words after `aws` (as text; `$…` kept as written).
 * `mention`: the command is named in passing in the text (an inline span), so what it requires and its
 * positional arguments are not checked, only that the command and the options it names exist.
 */
export function awsProblems(args: readonly string[], { mention = false }: { mention?: boolean } = {}): string[] {
  let index = 0;
  let service: string | undefined;
  let operation: string | undefined;
  // Before the command, only global options (`aws --profile p sso login`).
  for (; index < args.length && operation === undefined; index++) {
    const word = args[index] as string;
    if (word.startsWith('--')) {
      const arity = GLOBAL_OPTIONS[word.split('=')[0] as string];
      if (arity === undefined) return [`aws: ${word} before the command is not a global option`];
      if (arity === 'value' && !word.includes('=')) index++;
    } else if (service === undefined) service = word;
    else operation = word;
  }
  if (service === undefined || operation === undefined) return [`aws ${args.join(' ')}: no service and command`];
  const resolved = resolve(service, operation);
  if (typeof resolved === 'string') return [resolved];

  const options = { ...GLOBAL_OPTIONS, ...resolved.options };
  const problems: string[] = [];
  const positional: string[] = [];
  const given = new Map<string, string[]>();
  for (; index < args.length; index++) {
    const word = args[index] as string;
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const [name, inline] = word.split('=', 2) as [string, string | undefined];
    const arity = options[name];
    if (arity === undefined) {
      problems.push(`aws ${service} ${operation}: no option ${name}`);
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else if (arity === 'value') values.push(args[++index] ?? '');
    else if (arity === 'list') {
      while (args[index + 1] !== undefined && !(args[index + 1] as string).startsWith('--'))
        values.push(args[++index] as string);
    }
    if (arity !== 'flag' && values.length === 0) problems.push(`aws ${service} ${operation}: ${name} needs a value`);
    given.set(name, values);
  }
  for (const option of mention ? [] : resolved.required) {
    if (!given.has(option) && !given.has('--cli-input-json') && !given.has('--cli-input-yaml')) {
      problems.push(`aws ${service} ${operation}: ${option} is required`);
    }
  }
  if (!mention && positional.length !== resolved.positionals) {
    problems.push(
      `aws ${service} ${operation}: takes ${resolved.positionals} positional argument(s), got ${positional.length}` +
        (positional.length > 0 ? ` (${positional.join(' ')})` : ''),
    );
  }
  for (const [option, allowed] of Object.entries(resolved.enums)) {
    for (const value of given.get(option) ?? []) {
      if (!value.includes('$') && !allowed.includes(value)) {
        problems.push(`aws ${service} ${operation}: ${option} ${value} is not one of ${allowed.join(', ')}`);
      }
    }
  }
  return problems;
}

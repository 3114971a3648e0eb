import { PolicyError } from '../../lambda/reconciler/errors/errors';
import { parseInvocation } from '../../lambda/reconciler/event';
import { parsePolicy } from '../../lambda/reconciler/policy/schema';
import { segmentsOf } from '../../lambda/reconciler/policy/text';
import { nearestKey } from '../../lambda/reconciler/validation';
import { checkContextKeys } from '../../lib/config';

function problemsOf(text: string) {
  try {
    parsePolicy(text, 'policy.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected the policy to be rejected');
}

const lines = (...text: string[]) => text.join('\n');

describe('a JSON syntax error', () => {
  it('says what, at which line and column, and shows the line with a caret', () => {
    const text = lines('{', '  "version": 2,', '  "default": "ACTIVATED"', '  "rules": []', '}');
    const [problem] = problemsOf(text);
    expect(problem).toMatchObject({ path: '$', line: 4, column: 3 });
    expect(problem?.message).toBe('not valid JSON: expected a comma\n      4 |   "rules": []\n        |   ^');
  });

  it('calls a trailing comma what it probably is', () => {
    const [problem] = problemsOf(lines('{', '  "version": 2,', '  "default": "ACTIVATED",', '}'));
    expect(problem).toMatchObject({ line: 4, column: 1 });
    expect(problem?.message).toMatch(
      /^not valid JSON: expected a property name in double quotes \(a trailing comma\?\)/,
    );
  });

  it('renders the location in the error message', () => {
    expect(() => parsePolicy('{"version": 1,', 'policy.json')).toThrow(
      /Invalid policy \(policy.json\): 1 problem\n {2}- \$ \(line 1, column 15\): not valid JSON/,
    );
  });
});

describe('a schema problem in policy text', () => {
  const text = lines(
    '{',
    '  "version": 2,',
    '  "defualt": "ACTIVATED",',
    '  "rules": [',
    '    { "name": "a", "acounts": ["111122223333"], "deepInspection": "ACTIVE" }',
    '  ]',
    '}',
  );

  it('says a missing key is required and what it takes', () => {
    expect(problemsOf(text)).toContainEqual({
      path: '$.default',
      line: 1,
      column: 1,
      message: 'is required: one of ACTIVATED, DEACTIVATED, UNMANAGED, or an object with deepInspection, enforcement',
    });
  });

  it('suggests the nearest key for a misspelt one, located at the key', () => {
    const problems = problemsOf(text);
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: '$.defualt',
        line: 3,
        column: 3,
        message: expect.stringMatching(
          /^unknown key: did you mean "default"\? \(allowed here: \$schema, regions, .*coverage, findings\)$/,
        ),
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: '$.rules[0].acounts',
        line: 5,
        column: 20,
        message: expect.stringMatching(/did you mean "accounts"/),
      }),
    );
  });

  it('lists the allowed values at the value that is not one of them, and the one meant for a near miss', () => {
    expect(problemsOf(text)).toContainEqual({
      path: '$.rules[0].deepInspection',
      line: 5,
      column: 67,
      message: '"ACTIVE" is not one of ACTIVATED, DEACTIVATED, UNMANAGED; did you mean "ACTIVATED"?',
    });
  });

  it('says what a union takes instead of "Invalid input"', () => {
    expect(problemsOf('{"version": 2, "default": 5}')).toEqual([
      {
        path: '$.default',
        line: 1,
        column: 27,
        message: '5 is not one of ACTIVATED, DEACTIVATED, UNMANAGED, or an object with deepInspection, enforcement',
      },
    ]);
  });

  it('suggests nothing for a key that is nothing like a known one, and still lists the allowed keys', () => {
    const [problem] = problemsOf('{"version": 2, "default": "ACTIVATED", "zzzzzz": 1}');
    expect(problem?.message).toMatch(/^unknown key \(allowed here: /);
  });
});

describe('a key given twice', () => {
  it('is refused, naming both places, instead of the last one silently winning', () => {
    const text = lines('{', '  "version": 2,', '  "default": "ACTIVATED",', '  "default": "DEACTIVATED"', '}');
    expect(problemsOf(text)).toEqual([
      {
        path: '$.default',
        line: 4,
        column: 3,
        message:
          '"default" is given twice in this object (first at line 3, column 3); JSON keeps only the last: remove one',
      },
    ]);
  });

  it('is found inside rules too', () => {
    const text =
      '{"version": 2, "default": "ACTIVATED", "rules": [{"name": "a", "accounts": ["111122223333"], "deepInspection": "ACTIVATED", "deepInspection": "DEACTIVATED"}]}';
    expect(problemsOf(text).map((problem) => problem.path)).toEqual(['$.rules[0].deepInspection']);
  });
});

describe('segmentsOf', () => {
  it.each([
    ['$', []],
    ['$.rules[2].accounts[0]', ['rules', 2, 'accounts', 0]],
    ['$.$schema', ['$schema']],
  ])('%s', (path, segments) => {
    expect(segmentsOf(path)).toEqual(segments);
  });

  it('is undefined for a path not in that form', () => {
    expect(segmentsOf('rules[0]')).toBeUndefined();
    expect(segmentsOf('$rules')).toBeUndefined();
  });
});

describe('nearest', () => {
  it('finds a typo, whatever its case, and nothing for an unrelated word', () => {
    expect(nearestKey('defualt', ['version', 'default', 'rules'])).toBe('default');
    expect(nearestKey('DRYRUN', ['dryRun', 'force'])).toBe('dryRun');
    expect(nearestKey('banana', ['version', 'default', 'rules'])).toBeUndefined();
  });
});

describe('an invocation event with a misspelt field', () => {
  it('suggests the field', () => {
    expect(() => parseInvocation({ dryrun: true })).toThrow(/\$\.dryrun: unknown key: did you mean "dryRun"\?/);
  });
});

describe('checkContextKeys', () => {
  it('refuses a misspelt setting with the nearest one, so alarms do not e-mail no one', () => {
    expect(() => checkContextKeys(['schedule', 'alarmEmial'])).toThrow(
      /alarmEmial: not a setting of this app: did you mean "alarmEmail"\?/,
    );
  });

  it('leaves a key near no setting alone and returns it, as the CDK’s own (cdk acknowledge writes acknowledged-issue-numbers)', () => {
    expect(checkContextKeys(['alarmEmail', 'acknowledged-issue-numbers', 'cli-telemetry'])).toEqual([
      'acknowledged-issue-numbers',
      'cli-telemetry',
    ]);
  });

  it('leaves the keys the CDK sets alone: feature flags, toolkit keys, lookups', () => {
    expect(() =>
      checkContextKeys([
        'alarmEmail',
        '@aws-cdk/core:checkSecretUsage',
        'aws:cdk:enable-path-metadata',
        'availability-zones:account=111122223333:region=eu-west-1',
      ]),
    ).not.toThrow();
  });
});

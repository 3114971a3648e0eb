import { matchesEventPattern } from '../support/event-pattern';

// The matcher the pattern tests rely on, held to the examples of the EventBridge User Guide:
// "Amazon EventBridge event patterns" (eb-event-patterns), "Arrays in Amazon EventBridge event patterns"
// (eb-event-patterns-arrays), "Content filtering in Amazon EventBridge event patterns"
// (eb-event-patterns-content-based-filtering) and "Comparison operators" (eb-create-pattern-operators).

describe('the offline EventBridge pattern matcher, on the User Guide’s examples', () => {
  // eb-event-patterns: the EC2 instance-termination example.
  const ec2Terminated = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  };

  it('matches exact values in nested fields, and ignores the fields a pattern does not name', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matchesEventPattern(pattern, ec2Terminated)).toBe(true);
    expect(matchesEventPattern(pattern, { ...ec2Terminated, detail: { state: 'running' } })).toBe(false);
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.fargate'] }, ec2Terminated)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.fargate'] }, ec2Terminated)).toBe(false);
  });

  it('matches character by character, without case folding', () => {
    expect(matchesEventPattern({ detail: { state: ['Terminated'] } }, ec2Terminated)).toBe(false);
  });

  it('needs every field the pattern names, with the same nesting', () => {
    expect(matchesEventPattern({ detail: { missing: ['x'] } }, ec2Terminated)).toBe(false);
    expect(matchesEventPattern({ state: ['terminated'] }, ec2Terminated)).toBe(false);
  });

  it('matches numbers and null (the Macie and Auto Scaling examples)', () => {
    const macie = { source: 'aws.macie', detail: { 'risk-score': 80, trigger: { risk: 8 } } };
    expect(
      matchesEventPattern({ source: ['aws.macie'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, macie),
    ).toBe(true);
    expect(matchesEventPattern({ detail: { 'risk-score': [81] } }, macie)).toBe(false);
    const launch = { source: 'aws.autoscaling', detail: { eventVersion: '', responseElements: null } };
    expect(matchesEventPattern({ detail: { responseElements: [null] } }, launch)).toBe(true);
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, launch)).toBe(true);
  });

  it('matches an array in the event when any element matches (the resources example)', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('matches prefixes (the time example)', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matchesEventPattern(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matchesEventPattern(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(matchesEventPattern(pattern, { time: 20171002 })).toBe(false);
  });

  it('matches anything but a value, a list, or a prefix', () => {
    const state = (value: unknown) => ({ detail: { state: value } });
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('running'))).toBe(
      true,
    );
    expect(
      matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('initializing')),
    ).toBe(false);
    const list = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesEventPattern(list, state('running'))).toBe(true);
    expect(matchesEventPattern(list, state('overloaded'))).toBe(false);
    const numbers = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesEventPattern(numbers, { detail: { 'x-limit': 150 } })).toBe(true);
    expect(matchesEventPattern(numbers, { detail: { 'x-limit': 200 } })).toBe(false);
    const prefix = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesEventPattern(prefix, state('running'))).toBe(true);
    expect(matchesEventPattern(prefix, state('initializing'))).toBe(false);
    // A field that is absent is not "anything but": it is not there to compare.
    expect(matchesEventPattern(list, { detail: {} })).toBe(false);
  });

  it('matches on presence and absence of leaf fields (the c-count examples)', () => {
    const absent = { detail: { 'c-count': [{ exists: false }] } };
    const withoutCount = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesEventPattern(absent, withoutCount)).toBe(true);
    // c-count is not a leaf node here, so it counts as absent.
    expect(
      matchesEventPattern(absent, { ...withoutCount, detail: { ...withoutCount.detail, 'c-count': { c1: 100 } } }),
    ).toBe(true);
    expect(matchesEventPattern(absent, { detail: { 'c-count': 5 } })).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': 5 } })).toBe(true);
    expect(matchesEventPattern({ ProductName: [{ exists: true }] }, {})).toBe(false);
    expect(matchesEventPattern({ ProductName: [{ exists: false }] }, {})).toBe(true);
  });

  it('matches either branch of $or, together with the level’s other fields (Location or Day)', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(matchesEventPattern(pattern, { Location: 'New York', Day: 'Friday' })).toBe(true);
    expect(matchesEventPattern(pattern, { Location: 'Boston', Day: 'Monday' })).toBe(true);
    expect(matchesEventPattern(pattern, { Location: 'Boston', Day: 'Friday' })).toBe(false);
    const nested = { source: ['aws.ec2'], detail: { $or: [{ state: ['terminated'] }, { state: ['stopped'] }] } };
    expect(matchesEventPattern(nested, ec2Terminated)).toBe(true);
    expect(matchesEventPattern(nested, { ...ec2Terminated, source: 'aws.fargate' })).toBe(false);
  });

  it('refuses an operator it does not implement rather than guess', () => {
    expect(() => matchesEventPattern({ detail: { n: [{ numeric: ['>', 0] }] } }, { detail: { n: 1 } })).toThrow(
      /numeric is not supported/,
    );
    expect(() => matchesEventPattern({ $or: [{ a: ['x'] }] }, { a: 'x' })).toThrow(/at least two patterns/);
  });
});

import previous from './fixtures/previous-release-resource-types.json';
import { resourceTypes, typeChanges } from './fixtures/resource-types';

/**
 * CloudFormation refuses an update that gives a logical ID another resource type ("Update of resource type
 * is not permitted"): a stack deployed from the previous release could not be updated. A new ID, or one
 * removed, is an ordinary create or delete.
 */
describe('logical IDs against the previous release', () => {
  const current = resourceTypes();

  it('keeps the type of every logical ID the previous release’s template has', () => {
    expect(typeChanges(previous.resources, current)).toEqual([]);
  });

  it('still has the schedule, as the previous release deployed it: a check that compares nothing proves nothing', () => {
    expect(current.Schedule83A77FD1).toBe(previous.resources.Schedule83A77FD1);
    expect(Object.keys(previous.resources).filter((id) => id in current).length).toBeGreaterThan(40);
  });

  it('fails when the schedule’s type changes under its ID, as it once did from AWS::Events::Rule', () => {
    const scheduleAsARule = { ...current, Schedule83A77FD1: 'AWS::Events::Rule' };
    expect(typeChanges(previous.resources, scheduleAsARule)).toEqual([
      'Schedule83A77FD1: AWS::Scheduler::Schedule → AWS::Events::Rule',
    ]);
  });
});

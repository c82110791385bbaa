import { mockServices } from '@backstage/backend-test-utils';
import { scheduleRunbookRefresh } from './scheduleRunbookRefresh';

describe('scheduleRunbookRefresh', () => {
  it('asks for a verdict to be judged again only when a read changed the stored runbook state', async () => {
    let fn: () => Promise<void> = async () => {};
    const scheduler = {
      scheduleTask: jest.fn(async (task: any) => {
        fn = task.fn;
      }),
    };
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'rco', namespace: 'default' },
    };
    const catalog = { getEntities: jest.fn(async () => ({ items: [entity] })) };
    let changed = true;
    const runbooks = {
      refresh: jest.fn(async () => ({
        entityRef: 'component:default/rco',
        status: 'ok',
        versions: 2,
        current: '1.3',
        changed,
      })),
    };
    const invalidate = jest.fn();
    await scheduleRunbookRefresh({
      scheduler: scheduler as any,
      catalog: catalog as any,
      auth: mockServices.auth(),
      runbooks: runbooks as any,
      logger: mockServices.logger.mock(),
      releases: { invalidate },
    });
    await fn(); // the first read stores the state
    changed = false;
    await fn(); // the same document again: the stored verdict still holds
    await fn(); // and again (a restart reads it again too: nothing to judge)
    changed = true;
    await fn(); // a new version merged
    expect(runbooks.refresh).toHaveBeenCalledTimes(4);
    expect(invalidate.mock.calls).toEqual([
      ['component:default/rco', 'runbook'],
      ['component:default/rco', 'runbook'],
    ]);
  });
});

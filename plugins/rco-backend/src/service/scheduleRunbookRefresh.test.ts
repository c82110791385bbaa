import { mockServices } from '@backstage/backend-test-utils';
import { scheduleRunbookRefresh } from './scheduleRunbookRefresh';

describe('scheduleRunbookRefresh', () => {
  it('drops the cached verdict on every read, and nudges open pages only when the runbook changed', async () => {
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
    let current = '1.3';
    const runbooks = {
      refresh: jest.fn(async () => ({
        entityRef: 'component:default/rco',
        status: 'ok',
        versions: 2,
        current,
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
    await fn(); // the first read after a start: nothing to compare with
    await fn(); // the same document again
    current = '1.4';
    await fn(); // a new version merged
    expect(invalidate.mock.calls).toEqual([
      ['component:default/rco', undefined],
      ['component:default/rco', undefined],
      ['component:default/rco', 'runbook'],
    ]);
  });
});

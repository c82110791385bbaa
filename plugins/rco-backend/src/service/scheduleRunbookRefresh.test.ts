import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { governedEntity } from '../__testUtils__/fixtures';
import { RunbookService } from './RunbookService';
import { scheduleRunbookRefresh } from './scheduleRunbookRefresh';

describe('scheduleRunbookRefresh', () => {
  it('drops the cached verdict of every entity whose runbook it re-read', async () => {
    let task: (() => Promise<void>) | undefined;
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async (t: any) => {
        task = t.fn;
      },
    });
    const entity = governedEntity('rco', 'file:/nowhere/catalog-info.yaml', {
      'rco.helix.dev/runbook': './runbook.yaml',
    });
    const refresh = jest.fn(async () => ({
      entityRef: 'component:default/rco',
      status: 'ok' as const,
      versions: 2,
      current: '1.3.0',
    }));
    const invalidate = jest.fn();
    await scheduleRunbookRefresh({
      scheduler,
      catalog: catalogServiceMock({ entities: [entity] }),
      auth: mockServices.auth(),
      runbooks: { refresh } as unknown as RunbookService,
      logger: mockServices.logger.mock(),
      releases: { invalidate },
    });
    await task!();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(invalidate).toHaveBeenCalledWith('component:default/rco');
  });
});

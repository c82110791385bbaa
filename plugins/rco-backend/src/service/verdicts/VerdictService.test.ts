import { ConfigReader } from '@backstage/config';
import { readRcoConfig } from '../../config';
import { VerdictService } from './VerdictService';

describe('VerdictService.nudge', () => {
  it('adds nothing for a service already queued or being judged', async () => {
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const getEntityByRef = jest.fn(async () => {
      await gate;
      return undefined; // not governed: removed, nothing judged
    });
    const service = new VerdictService({
      store: { remove: jest.fn(async () => {}) } as any,
      releases: { clock: { now: () => new Date() } } as any,
      evidence: {} as any,
      catalog: { getEntityByRef } as any,
      auth: { getOwnServiceCredentials: async () => ({}) } as any,
      logger: { warn: jest.fn(), info: jest.fn() } as any,
      db: {} as any,
      config: readRcoConfig(new ConfigReader({})),
      environments: [],
    });
    for (let i = 0; i < 50; i++) service.nudge('component:default/a');
    await new Promise(r => setImmediate(r));
    release();
    await new Promise(r => setTimeout(r, 10));
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
  });
});

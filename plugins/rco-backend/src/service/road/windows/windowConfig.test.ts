import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { readRcoConfig } from '../../../config';
import { WindowNotifier } from './WindowNotifier';
import { DeployWindowRecord } from './WindowStore';

const read = (production: object, rest: object = {}) =>
  readRcoConfig(
    new ConfigReader({
      rco: {
        environments: [
          { name: 'production', driver: 'simulated', ...production },
        ],
        ...rest,
      },
    }),
  );

describe('rco.environments[].window and rco.windows.maxDuration', () => {
  it.each([
    ['no window section', {}, { required: false, acceptedBy: [] }],
    [
      'acceptedBy defaults to requiredSignoffs',
      { requiredSignoffs: ['po', 'dpo'], window: { required: true } },
      { required: true, acceptedBy: ['po', 'dpo'] },
    ],
    [
      'acceptedBy named',
      {
        requiredSignoffs: ['po', 'dpo', 'security'],
        window: { required: true, acceptedBy: ['po', 'security', 'po'] },
      },
      { required: true, acceptedBy: ['po', 'security'] },
    ],
  ])('%s', (_what, production, window) => {
    expect(read(production).environments[0].window).toEqual(window);
  });

  it.each([
    [
      { window: { acceptedBy: ['cto'] } },
      /rco\.environments\[production\]\.window\.acceptedBy: "cto" is not one of po, dpo, security/,
    ],
    [
      { window: { required: true } },
      /window\.required needs window\.acceptedBy or requiredSignoffs to name a role/,
    ],
    [
      { window: { required: true, acceptedBy: [] }, requiredSignoffs: ['po'] },
      /window\.required needs/,
    ],
  ])('refuses %j at start, naming the key', (production, message) => {
    expect(() => read(production)).toThrow(message);
  });

  it('maxDuration defaults to P1D and is read as a duration', () => {
    expect(read({}).windowMaxDuration.toISO()).toBe('P1D');
    expect(
      read({}, { windows: { maxDuration: 'PT6H' } }).windowMaxDuration.toISO(),
    ).toBe('PT6H');
    expect(() => read({}, { windows: { maxDuration: 'a day' } })).toThrow(
      /windows\.maxDuration/,
    );
  });
});

describe('WindowNotifier', () => {
  const w: DeployWindowRecord = {
    id: 'w1',
    entityRef: 'component:default/rco',
    environment: 'production',
    release: { version: '1.5.0' },
    start: new Date('2026-12-14T21:00:00Z'),
    end: new Date('2026-12-14T23:00:00Z'),
    timeZone: 'Europe/Berlin',
    requiredRoles: ['po', 'dpo', 'security'],
    proposedBy: 'service:external:cd-rco',
    proposedAt: new Date('2026-12-10T09:00:00Z'),
    acceptances: [],
  };
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'rco', title: 'RCO' },
    spec: { owner: 'rco-team' },
  };

  it('a failure to notify is logged, never thrown (the window stands)', async () => {
    const logger = mockServices.logger.mock();
    const notifier = new WindowNotifier({
      notifications: {
        send: jest.fn().mockRejectedValue(new Error('notifications down')),
      },
      logger,
      groups: {
        po: 'group:default/product-owners',
        dpo: undefined,
        security: 'group:default/security',
      },
    });
    await expect(notifier.proposed(w, entity)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /needs dpo, whose rco\.signoffs\.groups are not configured/,
      ),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/notification not sent: Error: notifications down/),
    );
  });

  it('a CI proposal: the groups are told (nobody excluded), and an acceptance goes to the owners', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const notifier = new WindowNotifier({
      notifications: { send },
      logger: mockServices.logger.mock(),
      groups: {
        po: 'Group:default/Product-Owners',
        dpo: 'group:default/dpo',
        security: 'group:default/security',
      },
    });
    await notifier.proposed(w, entity);
    await notifier.accepted(
      {
        ...w,
        acceptances: [
          { id: 'a', role: 'po', by: 'user:default/priya', at: w.proposedAt },
        ],
      },
      entity,
      'user:default/priya',
      ['po'],
    );
    expect(send.mock.calls.map(c => c[0].recipients)).toEqual([
      {
        type: 'entity',
        entityRef: [
          'group:default/product-owners',
          'group:default/dpo',
          'group:default/security',
        ],
        excludeEntityRef: undefined,
      },
      { type: 'entity', entityRef: ['group:default/rco-team'] },
    ]);
    expect(send.mock.calls[1][0].payload).toMatchObject({
      title: 'Deployment window accepted in part: RCO 1.5.0 in production',
      description:
        'component:default/rco: Mon 14 Dec 2026, 22:00–Tue 15 Dec 2026, 00:00 Europe/Berlin. user:default/priya accepted as PO. Still needed: DPO, Security.',
    });
  });
});

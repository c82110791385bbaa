import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import * as common from '@helix-portal/plugin-rco-common';
import { RunbookService } from './RunbookService';
import { RunbookStore } from '../database/RunbookStore';
import { hashRunbook } from '../database/DatabaseRunbookStore';

jest.mock('@helix-portal/plugin-rco-common', () => {
  const actual = jest.requireActual('@helix-portal/plugin-rco-common');
  return { ...actual, parseRunbook: jest.fn(actual.parseRunbook) };
});

const runbookText = fs.readFileSync(
  path.resolve(__dirname, '../../../../examples/rco/runbook/rco-runbook.yaml'),
  'utf8',
);

const entity = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'rco.helix.dev/runbook': './runbook.yaml' },
  },
});

/** A store that keeps what it is given, to see what each entity's refresh saved. */
function memoryStore() {
  const saved: { entityRef: string; hash: string; runbook: unknown }[] = [];
  const store = {
    saveVersion: jest.fn(async ({ entityRef, runbook }: any) => {
      const hash = hashRunbook(runbook);
      saved.push({ entityRef, hash, runbook });
      return hash;
    }),
    saveState: jest.fn(async () => true),
    getState: jest.fn(async () => undefined),
    listVersions: jest.fn(async () => []),
  };
  return { store: store as unknown as RunbookStore, saved };
}

describe('RunbookService refresh', () => {
  beforeEach(() => (common.parseRunbook as jest.Mock).mockClear());

  it('parses a document shared by many services once, and each service still stores it', async () => {
    const { store, saved } = memoryStore();
    let text = runbookText;
    const reader = { read: jest.fn(async () => ({ text, source: 'x' })) };
    const service = new RunbookService(
      store,
      reader as any,
      mockServices.logger.mock(),
    );
    for (const name of ['a', 'b', 'c']) {
      await expect(service.refresh(entity(name) as any)).resolves.toEqual(
        expect.objectContaining({ status: 'ok' }),
      );
    }
    expect(common.parseRunbook).toHaveBeenCalledTimes(1);
    expect(saved.map(s => s.entityRef)).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
    ]);
    expect(new Set(saved.map(s => s.hash)).size).toBe(1);

    // An edited document is parsed again: the memo is keyed by the text itself.
    text = runbookText.replace(/^ {2}title: .*$/m, '  title: Edited runbook');
    await service.refresh(entity('a') as any);
    expect(common.parseRunbook).toHaveBeenCalledTimes(2);
    expect(saved[3].hash).not.toBe(saved[0].hash);
    expect((saved[3].runbook as any).metadata.title).toBe('Edited runbook');
  });

  it('keeps a broken document broken for every service that shares it', async () => {
    const { store, saved } = memoryStore();
    const reader = {
      read: jest.fn(async () => ({ text: 'metadata: [', source: 'x' })),
    };
    const service = new RunbookService(
      store,
      reader as any,
      mockServices.logger.mock(),
    );
    for (const name of ['a', 'b'])
      await expect(service.refresh(entity(name) as any)).resolves.toEqual(
        expect.objectContaining({ status: 'invalid' }),
      );
    expect(saved).toEqual([]);
  });
});

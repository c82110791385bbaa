import { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { parseRunbook, Runbook } from '@helix-portal/plugin-rco-common';
import { screen, waitFor } from '@testing-library/react';
import fs from 'node:fs';
import path from 'node:path';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { fakeSignals } from '../../__testUtils__/fakeSignals';
import { RunbookContent } from '../RunbookContent';

jest.setTimeout(30_000);
const CHANNEL = 'rco:release:feed';

function example(file: string): Runbook {
  const parsed = parseRunbook(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../../examples/rco/runbook', file),
      'utf8',
    ),
  );
  if (!parsed.ok) throw new Error('example runbook invalid');
  return parsed.runbook;
}

const governed: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'rco',
    namespace: 'default',
    annotations: { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
  },
  spec: { type: 'service', owner: 'group:default/rco-team' },
};

const view = (runbook: Runbook) => ({
  entityRef: 'component:default/rco',
  version: runbook.metadata.version,
  hash: `${runbook.metadata.version}-hash`,
  date: runbook.metadata.date,
  status: runbook.metadata.status,
  title: runbook.metadata.title,
  source: 'file:/examples/rco/runbook.yaml',
  firstSeenAt: '2026-11-27T00:00:00.000Z',
  lastSeenAt: '2026-11-27T00:00:00.000Z',
  current: true,
  runbook,
});

describe('the Runbook tab follows a refreshed runbook (issue 12 point 2)', () => {
  it("re-reads on the release channel's runbook nudge, in place, and ignores other nudges", async () => {
    const v12 = example('rco-runbook-v1.2.yaml');
    const v13 = example('rco-runbook.yaml');
    let current = v12;
    const api = {
      getCapabilities: jest.fn(async () => ({ releaseChannel: CHANNEL })),
      getCurrentRunbook: jest.fn(async () => view(current)),
      listRunbookVersions: jest.fn(async () => [view(current)]),
      getRunbookVersion: jest.fn(async () => view(current)),
    } as unknown as jest.Mocked<RcoApi>;
    const signals = fakeSignals();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [rcoApiRef, api],
          [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
          [signalApiRef, signals.api],
        ]}
      >
        <EntityProvider entity={governed}>
          <RunbookContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true), {
      timeout: 15_000,
    });
    await waitFor(() => expect(api.getCurrentRunbook).toHaveBeenCalled());
    const reads = api.getCurrentRunbook.mock.calls.length;

    signals.publish(CHANNEL, { what: 'evidence' });
    expect(api.getCurrentRunbook).toHaveBeenCalledTimes(reads);

    current = v13;
    signals.publish(CHANNEL, { what: 'runbook' });
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.getCurrentRunbook).toHaveBeenCalledTimes(reads + 1),
    );
    expect(api.listRunbookVersions).toHaveBeenCalledTimes(2);
    expect(
      (await screen.findAllByText(new RegExp(v13.metadata.version))).length,
    ).toBeGreaterThan(0);
  });
});

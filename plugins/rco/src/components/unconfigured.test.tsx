import { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { RcoApi, rcoApiRef } from '../api/RcoApi';
import {
  caps,
  entity,
  mockApi,
  render as renderReleaseTab,
  slow,
  status,
} from '../__testUtils__/releaseFixtures';
import { isRcoAvailable } from '../conditions';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  rcoReleaseEntityContent,
  rcoReleaseOverviewCard,
  rcoRunbookEntityContent,
} from '../alpha';
import { OperationsPanel } from './Operations';
import { ReleaseOverviewCard } from './ReleaseOverviewCard/ReleaseOverviewCard';
import { RunbookContent } from './RunbookContent';

/**
 * Issue 11, point 4: a portal that added the plugin without configuring it. The pages say what
 * to configure instead of failing, and what works without it still shows.
 */
jest.setTimeout(30_000);

const DEPLOYS_OFF =
  /Deploys are off: this portal has no rco\.environments configured/;
const unconfigured = caps({
  operations: {
    deploy: true,
    rollback: true,
    control: true,
    breakGlass: false,
    environmentsConfigured: false,
  },
});

const withEntity = (api: Partial<RcoApi>, node: JSX.Element, e = entity) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api as RcoApi],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      <EntityProvider entity={e}>{node}</EntityProvider>
    </TestApiProvider>,
  );

describe('Release tab without rco.environments', () => {
  it('says deploys are off and where to configure them, and still shows the gates', async () => {
    const api = mockApi({ getCapabilities: jest.fn(async () => unconfigured) });
    await renderReleaseTab(api);
    const panel = await screen.findByRole(
      'status',
      { name: 'Deploys are off' },
      slow,
    );
    expect(panel).toHaveTextContent(DEPLOYS_OFF);
    expect(
      within(panel).getByRole('link', { name: /install guide/ }),
    ).toHaveAttribute('href', expect.stringContaining('#install'));
    // Gates and evidence are unaffected.
    expect(
      (await screen.findAllByText(status().gates[0].title, {}, slow)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: /^Deploy/ })).toBeNull();
  });

  it('says deploys are off when the environments list is empty (a backend without the capability)', async () => {
    const api = {
      listEnvironments: jest.fn(async () => []),
      listOperations: jest.fn(async () => []),
      listOverrides: jest.fn(async () => []),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[rcoApiRef, api as unknown as RcoApi]]}>
        <OperationsPanel
          entityRef={{ kind: 'component', namespace: 'default', name: 'rco' }}
          release={{ version: '1.3.2' }}
          onEnvironmentChange={jest.fn()}
          status={status()}
          signoffs={[]}
          capabilities={caps()}
        />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('status', { name: 'Deploys are off' }, slow),
    ).toHaveTextContent(DEPLOYS_OFF);
  });

  it('does not read the environments when the capabilities say deploys are off', async () => {
    const api = { listEnvironments: jest.fn(async () => []) };
    await renderInTestApp(
      <TestApiProvider apis={[[rcoApiRef, api as unknown as RcoApi]]}>
        <OperationsPanel
          entityRef={{ kind: 'component', namespace: 'default', name: 'rco' }}
          release={{ version: '1.3.2' }}
          onEnvironmentChange={jest.fn()}
          status={status()}
          signoffs={[]}
          capabilities={unconfigured}
        />
      </TestApiProvider>,
    );
    expect(
      screen.getByRole('status', { name: 'Deploys are off' }),
    ).toBeInTheDocument();
    expect(api.listEnvironments).not.toHaveBeenCalled();
  });
});

describe('Overview card without rco.environments', () => {
  it('shows the gates and says deploys are off', async () => {
    await withEntity(
      {
        getStatus: jest.fn(async () => status()),
        getCapabilities: jest.fn(async () => unconfigured),
      },
      <ReleaseOverviewCard />,
    );
    expect(
      await screen.findByRole('status', { name: 'Deploys are off' }, slow),
    ).toHaveTextContent(DEPLOYS_OFF);
    expect(
      screen.getByRole('list', { name: 'Gates not passing' }),
    ).toBeInTheDocument();
  });

  it('says nothing about deploys when environments are configured or the capabilities fail', async () => {
    await withEntity(
      {
        getStatus: jest.fn(async () => status()),
        getCapabilities: jest.fn(async () => {
          throw new Error('boom');
        }),
      },
      <ReleaseOverviewCard />,
    );
    expect(
      await screen.findByRole('list', { name: 'Gates not passing' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('status', { name: 'Deploys are off' }),
    ).toBeNull();
  });
});

describe('An entity without the runbook annotation, and the Runbook tab', () => {
  const plain: Entity = {
    ...entity,
    metadata: { name: 'plain', namespace: 'default' },
  };

  it('is not offered for an entity without the runbook annotation (legacy EntitySwitch condition)', () => {
    expect(isRcoAvailable(plain)).toBe(false);
    expect(isRcoAvailable(entity)).toBe(true);
  });

  it.each([
    ['Runbook tab', rcoRunbookEntityContent, EntityContentBlueprint],
    ['Release tab', rcoReleaseEntityContent, EntityContentBlueprint],
    ['overview card', rcoReleaseOverviewCard, EntityCardBlueprint],
  ] as const)(
    'the %s of the new frontend system is not offered for such an entity (entity filter)',
    (_name, extension, blueprint) => {
      const filter = createExtensionTester(extension as any).get(
        blueprint.dataRefs.filterFunction as any,
      ) as ((e: Entity) => boolean) | undefined;
      expect(filter?.(plain)).toBe(false);
      expect(filter?.(entity)).toBe(true);
    },
  );

  it('explains the annotation instead of failing when opened for such an entity anyway', async () => {
    const getCurrentRunbook = jest.fn();
    await withEntity(
      { getCurrentRunbook, listRunbookVersions: jest.fn() },
      <RunbookContent />,
      plain,
    );
    expect(
      screen.getAllByText(/rco\.helix\.dev\/runbook/).length,
    ).toBeGreaterThan(0);
    expect(getCurrentRunbook).not.toHaveBeenCalled();
  });

  it('says what to check when the runbook file cannot be read', async () => {
    await withEntity(
      {
        getCurrentRunbook: jest.fn(async () => {
          throw new Error(
            'The runbook of component:default/rco has no valid version yet. file:/repo/runbook.yaml: (document): runbook file /repo/runbook.yaml does not exist',
          );
        }),
        listRunbookVersions: jest.fn(async () => []),
      },
      <RunbookContent />,
    );
    const hint = await screen.findByText(
      /check that the file exists at that path/,
      {},
      slow,
    );
    expect(hint).toHaveTextContent('./runbook.yaml');
    expect(hint).toHaveTextContent(/integrations section of app-config/);
    expect(
      screen.getAllByText(/runbook file \/repo\/runbook.yaml does not exist/)
        .length,
    ).toBeGreaterThan(0);
    expect(
      screen.getByRole('button', { name: 'Try again' }),
    ).toBeInTheDocument();
  });
});

describe('Release tab of a portal with nothing configured, before any evidence', () => {
  const noReleases = {
    listReleases: jest.fn(async () => ({ items: [], environments: [] })),
  };

  it('says no pipeline may upload yet and what to configure, instead of a CI command nobody can run', async () => {
    const api = mockApi({
      ...noReleases,
      getCapabilities: jest.fn(async () => ({
        ...unconfigured,
        ciUpload: false,
      })),
    } as any);
    await renderReleaseTab(api);
    expect(
      await screen.findByText('No evidence yet', {}, slow),
    ).toBeInTheDocument();
    const ci = screen.getByRole('status', { name: 'No pipeline may upload' });
    expect(ci).toHaveTextContent(/rco\.ci\.subjects/);
    expect(
      within(ci).getByRole('link', { name: /install guide/ }),
    ).toHaveAttribute('href', expect.stringContaining('#install'));
    expect(screen.queryByText(/RCO_CI_TOKEN/)).toBeNull();
    expect(
      screen.getByRole('status', { name: 'Deploys are off' }),
    ).toHaveTextContent(DEPLOYS_OFF);
  });

  it('shows the CI command for this entity once a pipeline may upload', async () => {
    const api = mockApi({
      ...noReleases,
      getCapabilities: jest.fn(async () => caps({ ciUpload: true } as any)),
    } as any);
    await renderReleaseTab(api);
    const token = await screen.findByText(/RCO_CI_TOKEN/, {}, slow);
    expect(token.closest('pre')).toHaveTextContent(
      /entities\/component\/default\/rco\/evidence/,
    );
    expect(
      screen.queryByRole('status', { name: 'No pipeline may upload' }),
    ).toBeNull();
    expect(
      screen.queryByRole('status', { name: 'Deploys are off' }),
    ).toBeNull();
  });
});

import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { alertApiRef } from '@backstage/core-plugin-api';
import {
  parseRunbook,
  Runbook,
  RunbookVersionResponse,
  RunbookVersionSummary,
} from '@helix-portal/plugin-rco-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import fs from 'node:fs';
import path from 'node:path';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { RunbookContent } from './RunbookContent';

function loadExample(file: string): Runbook {
  const result = parseRunbook(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../../examples', file),
      'utf8',
    ),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.runbook;
}
const v13 = loadExample('rco/runbook/rco-runbook.yaml');
const v12 = loadExample('rco/runbook/rco-runbook-v1.2.yaml');

const summary = (
  runbook: Runbook,
  current: boolean,
): RunbookVersionSummary => ({
  entityRef: 'component:default/rco',
  version: runbook.metadata.version,
  hash: `${runbook.metadata.version}-hash`,
  date: runbook.metadata.date,
  status: runbook.metadata.status,
  title: runbook.metadata.title,
  source: 'file:/examples/rco/runbook.yaml',
  firstSeenAt: '2026-11-27T00:00:00.000Z',
  lastSeenAt: '2026-11-27T00:00:00.000Z',
  current,
});
const response = (
  runbook: Runbook,
  current: boolean,
  extra: Partial<RunbookVersionResponse> = {},
): RunbookVersionResponse => ({
  ...summary(runbook, current),
  runbook,
  ...extra,
});

const governed: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'rco',
    namespace: 'default',
    annotations: { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/rco-team',
    lifecycle: 'production',
  },
};

function mockRcoApi(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
  return {
    getCurrentRunbook: jest.fn(async () => response(v13, true)),
    listRunbookVersions: jest.fn(async () => [
      summary(v13, true),
      summary(v12, false),
    ]),
    getRunbookVersion: jest.fn(async (_, version) =>
      version.startsWith('1.2') ? response(v12, false) : response(v13, true),
    ),
    diffRunbookVersions: jest.fn(async () => ({
      entityRef: 'component:default/rco',
      from: '1.2.0',
      to: '1.3.0',
      added: [],
      removed: [],
      changed: [
        {
          id: 'glossary',
          number: 14,
          title: 'Glossary',
          lines: [
            {
              type: 'unchanged' as const,
              text: '| RCO | Remote-Call Orchestrator |',
            },
            {
              type: 'added' as const,
              text: '| RCOT | Remote-Call Orchestrator Telemetry |',
            },
          ],
        },
      ],
      unchanged: 15,
      fields: [{ field: 'targets.rto', from: 'PT30M', to: 'PT15M' }],
    })),
    refreshRunbook: jest.fn(),
    ...overrides,
  } as jest.Mocked<RcoApi>;
}

async function renderContent(api: RcoApi, entity = governed, route = '/') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      <EntityProvider entity={entity}>
        <RunbookContent />
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [route] },
  );
}

// Rendering sixteen markdown sections is slow on a loaded 2-core CI machine.
jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

describe('RunbookContent', () => {
  it('shows the current runbook with a 16-entry table of contents and the ten checklist items', async () => {
    await renderContent(mockRcoApi());
    expect(
      await screen.findByText(v13.metadata.title, {}, slow),
    ).toBeInTheDocument();
    const toc = screen.getByRole('navigation', { name: 'Runbook sections' });
    const links = within(toc).getAllByRole('link');
    expect(links).toHaveLength(16);
    expect(links[14]).toHaveTextContent('15. Final Review Gate Checklist');
    expect(links[14]).toHaveAttribute(
      'href',
      '#section-final-review-gate-checklist',
    );

    const section15 = screen.getByRole('region', {
      name: /^15\. Final Review Gate Checklist/,
    });
    expect(
      within(section15).getByText('Final Review Gate Checklist (10 items)'),
    ).toBeInTheDocument();
    expect(
      within(section15).getAllByText('DPO Sign-off').length,
    ).toBeGreaterThan(0);
    expect(screen.getByText('15 minutes (PT15M)')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Changelog' })).toHaveTextContent(
      'v1.0.0',
    );
  });

  it('explains the annotation when the entity has no runbook', async () => {
    const api = mockRcoApi();
    await renderContent(api, {
      ...governed,
      metadata: { name: 'plain', namespace: 'default' },
    });
    expect(
      screen.getAllByText(/rco\.helix\.dev\/runbook/).length,
    ).toBeGreaterThan(0);
    expect(api.getCurrentRunbook).not.toHaveBeenCalled();
  });

  it('shows the backend error and retries on request', async () => {
    const api = mockRcoApi({
      getCurrentRunbook: jest
        .fn()
        .mockRejectedValueOnce(
          new Error(
            'The runbook of component:default/rco has no valid version yet',
          ),
        )
        .mockResolvedValueOnce(response(v13, true)),
    });
    await renderContent(api);
    expect(
      (await screen.findAllByText(/has no valid version yet/, {}, slow)).length,
    ).toBeGreaterThan(0);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText(v13.metadata.title, {}, slow),
    ).toBeInTheDocument();
  });

  it('warns that the newest document is broken while the last good version serves', async () => {
    const api = mockRcoApi({
      getCurrentRunbook: jest.fn(async () =>
        response(v13, true, {
          lastError: {
            at: '2026-11-27T00:00:00.000Z',
            source: 'file:/examples/rco/runbook.yaml',
            problems: [
              {
                path: 'sections[1].number',
                message: 'Expected number, received string',
              },
            ],
          },
        }),
      ),
    });
    await renderContent(api);
    const alert = await screen.findByRole('alert', {}, slow);
    expect(alert).toHaveTextContent(
      'sections[1].number: Expected number, received string',
    );
    expect(alert).toHaveTextContent('last good version (v1.3.0)');
  });

  it('renders section markdown sanitised: no script, no javascript: links', async () => {
    const hostile: Runbook = {
      ...v13,
      sections: v13.sections.map(s =>
        s.id === 'scope-and-objectives'
          ? {
              ...s,
              body: 'Safe **bold** <script>window.pwned = true</script> [click](javascript:alert(1)) <img src=x onerror="window.pwned=true">',
            }
          : s,
      ),
    };
    const api = mockRcoApi({
      getCurrentRunbook: jest.fn(async () => response(hostile, true)),
    });
    const { container } = await renderContent(api);
    await screen.findByText(v13.metadata.title, {}, slow);
    expect(screen.getByText('bold').tagName).toBe('STRONG');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img[onerror]')).toBeNull();
    const scope = screen.getByRole('region', { name: /^1\. Scope/ });
    for (const a of Array.from(scope.querySelectorAll('a'))) {
      expect(a.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    }
    expect(scope).toHaveTextContent('click');
    expect((window as any).pwned).toBeUndefined();
  });

  it('opens an earlier version from the URL', async () => {
    const api = mockRcoApi();
    await renderContent(api, governed, '/?version=1.2.0');
    expect(
      await screen.findByText('earlier version', {}, slow),
    ).toBeInTheDocument();
    expect(api.getRunbookVersion).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      '1.2.0',
    );
  });

  describe('deep links on a fresh load (issue 12, point 9)', () => {
    let scrolled: Element[];
    beforeEach(() => {
      scrolled = [];
      // jsdom has no layout: record what the page scrolls into view.
      Element.prototype.scrollIntoView = jest.fn(function record(
        this: Element,
      ) {
        scrolled.push(this);
      });
    });

    it('opens at the section once the content has loaded, and focuses it', async () => {
      // The versions arrive after the document (the order that lost the old scroll: it ran
      // while the page still showed a spinner, and never again).
      let releaseVersions: () => void = () => {};
      const api = mockRcoApi({
        listRunbookVersions: jest.fn(
          () =>
            new Promise<RunbookVersionSummary[]>(resolve => {
              releaseVersions = () =>
                resolve([summary(v13, true), summary(v12, false)]);
            }),
        ),
      });
      await renderContent(api, governed, '/#section-glossary');
      await new Promise(r => setTimeout(r, 50));
      expect(scrolled).toHaveLength(0);
      releaseVersions();
      const glossary = await screen.findByRole(
        'region',
        { name: /^14\. Glossary/ },
        slow,
      );
      await waitFor(() => expect(glossary).toHaveFocus());
      expect(scrolled).toContain(glossary);
    });

    it('follows a link to a section made while the page is open', async () => {
      await renderContent(mockRcoApi());
      await screen.findByText(v13.metadata.title, {}, slow);
      const link = screen.getByRole('link', {
        name: 'Link to section 14, Glossary',
      });
      await userEvent.click(link);
      const glossary = screen.getByRole('region', { name: /^14\. Glossary/ });
      await waitFor(() => expect(glossary).toHaveFocus());
      expect(scrolled).toContain(glossary);
    });

    it('opens the compare view at a changed section', async () => {
      await renderContent(
        mockRcoApi(),
        governed,
        '/?compare=1.2.0..1.3.0#compare-glossary',
      );
      const changes = await screen.findByRole(
        'region',
        { name: 'Changes in Glossary' },
        slow,
      );
      await waitFor(() => expect(changes).toHaveFocus());
      expect(scrolled).toContain(changes);
    });
  });

  it('compare view has a table of contents of the changes, linking to each', async () => {
    await renderContent(mockRcoApi(), governed, '/?compare=1.2.0..1.3.0');
    const toc = await screen.findByRole(
      'navigation',
      { name: 'Changes' },
      slow,
    );
    const links = within(toc).getAllByRole('link');
    expect(links.map(l => l.textContent)).toEqual([
      'Key fields',
      '14. Glossary',
    ]);
    expect(links[1]).toHaveAttribute('href', '#compare-glossary');
    expect(document.getElementById('compare-glossary')).toBe(
      screen.getByRole('region', { name: 'Changes in Glossary' }),
    );
  });

  it('compare view marks changed words inline, with context instead of whole sections', async () => {
    const unchanged = Array.from({ length: 20 }, (_, i) => ({
      type: 'unchanged' as const,
      text: `| TERM${i} | meaning ${i} |`,
    }));
    const api = mockRcoApi({
      diffRunbookVersions: jest.fn(async () => ({
        entityRef: 'component:default/rco',
        from: '1.2.0',
        to: '1.3.0',
        added: [],
        removed: [],
        changed: [
          {
            id: 'data-stores-migrations-backups',
            number: 8,
            title: 'Data Stores, Migrations & Backups',
            lines: [
              ...unchanged,
              { type: 'removed' as const, text: '| RTO | 30 minutes |' },
              { type: 'added' as const, text: '| RTO | 15 minutes |' },
            ],
          },
        ],
        unchanged: 15,
        fields: [],
      })),
    });
    await renderContent(api, governed, '/?compare=1.2.0..1.3.0');
    const changes = await screen.findByRole(
      'region',
      { name: 'Changes in Data Stores, Migrations & Backups' },
      slow,
    );
    // Only the changed words are marked: struck through and underlined, not colour alone.
    const removed = changes.querySelector('del');
    const added = changes.querySelector('ins');
    expect(removed).toHaveTextContent('removed: 30');
    expect(added).toHaveTextContent('added: 15');
    expect(changes.querySelectorAll('del, ins')).toHaveLength(2);
    // Two lines of context; the other 18 unchanged lines are folded.
    expect(changes).toHaveTextContent('… 18 unchanged lines');
    expect(changes).toHaveTextContent('| TERM19 | meaning 19 |');
    expect(changes).not.toHaveTextContent('| TERM0 | meaning 0 |');
  });

  it('compares two versions, marking added lines with + and not only colour', async () => {
    const api = mockRcoApi();
    await renderContent(api, governed, '/?compare=1.2.0..1.3.0');
    const changes = await screen.findByRole(
      'region',
      { name: 'Changes in Glossary' },
      slow,
    );
    expect(changes).toHaveTextContent(
      '+ | RCOT | Remote-Call Orchestrator Telemetry |',
    );
    expect(screen.getByText('1 section changed')).toBeInTheDocument();
    expect(screen.getByText('targets.rto')).toBeInTheDocument();
    expect(api.diffRunbookVersions).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      '1.2.0',
      '1.3.0',
    );
  });
});

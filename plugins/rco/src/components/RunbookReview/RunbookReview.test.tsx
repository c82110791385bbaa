import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { alertApiRef } from '@backstage/core-plugin-api';
import {
  parseRunbook,
  RunbookVersionResponse,
} from '@helix-portal/plugin-rco-common';
import { screen } from '@testing-library/react';
import fs from 'node:fs';
import path from 'node:path';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { entity } from '../../__testUtils__/releaseFixtures';
import { renderWith } from '../../__testUtils__/roadFixtures';
import { RunbookContent } from '../RunbookContent';
import { RunbookReviewBanner } from './RunbookReviewBanner';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

const DUE = '2026-11-01T00:00:00.000Z';
const overdue = {
  reviewEvery: 'P90D',
  lastReviewed: '2026-08-03',
  dueAt: DUE,
  overdue: true,
};

describe('RunbookReviewBanner', () => {
  it('says the review is overdue, when it was due, the cadence and the last review', async () => {
    await renderWith(
      <RunbookReviewBanner review={overdue} runbookPath="/catalog/x/runbook" />,
    );
    const banner = screen.getByRole('status');
    expect(banner).toHaveTextContent(
      /The runbook's review is overdue.*It was due .* \(.* ago\)\. The runbook asks for a review every 90 days; it was last reviewed on 2026-08-03\./,
    );
    expect(banner.querySelector('time')).toHaveAttribute('dateTime', DUE);
    expect(
      screen.getByRole('link', { name: 'Open the runbook' }),
    ).toHaveAttribute('href', '/catalog/x/runbook');
  });

  it('shows nothing when the review is not overdue or no cadence is declared', async () => {
    await renderWith(
      <>
        <RunbookReviewBanner review={{ ...overdue, overdue: false }} />
        <RunbookReviewBanner />
      </>,
    );
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});

describe('the Runbook tab', () => {
  it('shows the overdue banner from the runbook status', async () => {
    const parsed = parseRunbook(
      fs.readFileSync(
        path.resolve(
          __dirname,
          '../../../../../examples/rco/runbook/rco-runbook.yaml',
        ),
        'utf8',
      ),
    );
    if (!parsed.ok) throw new Error('example runbook invalid');
    const doc = {
      entityRef: 'component:default/rco',
      version: parsed.runbook.metadata.version,
      hash: 'h',
      date: parsed.runbook.metadata.date,
      status: parsed.runbook.metadata.status,
      title: parsed.runbook.metadata.title,
      source: 'file:/examples/rco/runbook.yaml',
      firstSeenAt: DUE,
      lastSeenAt: DUE,
      current: true,
      runbook: parsed.runbook,
      review: overdue,
    } as RunbookVersionResponse;
    const api = {
      getCurrentRunbook: jest.fn(async () => doc),
      listRunbookVersions: jest.fn(async () => [doc]),
    } as unknown as RcoApi;
    await renderInTestApp(
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
    );
    expect(
      await screen.findByText("The runbook's review is overdue", {}, slow),
    ).toBeInTheDocument();
  });
});

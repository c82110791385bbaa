import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { ReleaseOverviewCard } from './ReleaseOverviewCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rco', namespace: 'default' },
  spec: {},
};

describe('ReleaseOverviewCard', () => {
  it('shows the verdict and only the gates that do not pass', async () => {
    const getStatus = jest.fn(async () => ({
      entityRef: 'component:default/rco',
      release: { version: '1.3.2' },
      gates: [
        {
          id: 'image-scanning',
          title: 'Image & Dependency Scanning',
          status: 'fail',
          reasons: ['Trivy report has 1 HIGH: CVE-2024-34156'],
        },
        {
          id: 'acronym-clarity',
          title: 'Acronym Clarity',
          status: 'pass',
          reasons: ['ok'],
        },
      ],
      pillars: [],
      summary: {
        passing: 9,
        total: 10,
        blockedBy: ['image-scanning'],
        waived: [],
        ready: false,
        text: '9 of 10 gates pass; blocked by image-scanning',
      },
      evaluatedAt: '',
    }));
    const getCapabilities = jest.fn(async () => ({}));
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [rcoApiRef, { getStatus, getCapabilities } as unknown as RcoApi],
        ]}
      >
        <EntityProvider entity={entity}>
          <ReleaseOverviewCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'Blocked by 1 gate: Image & Dependency Scanning · 9 of 10 gates pass',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Image & Dependency Scanning' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Trivy report has 1 HIGH: CVE-2024-34156'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Acronym Clarity')).not.toBeInTheDocument();
  });

  it('names the environment judged and each environment, people and gate titles, not ids (issue 12, points 4 and 7)', async () => {
    const getStatus = jest.fn(async () => ({
      entityRef: 'component:default/rco',
      release: { version: '1.3.2', environment: 'production' },
      gates: [
        {
          id: 'rto-rpo-verification',
          title: 'RTO/RPO Verification',
          status: 'stale',
          reasons: [
            'Newest backup 2026-11-29T20:00:00Z is older than RPO; see migration-controls',
          ],
        },
      ],
      pillars: [],
      environments: [
        {
          environment: 'staging',
          ready: true,
          passing: 10,
          total: 10,
          blockedBy: [],
          waived: [],
          text: '',
        },
        {
          environment: 'production',
          ready: false,
          passing: 9,
          total: 10,
          blockedBy: ['rto-rpo-verification'],
          waived: [],
          text: '',
        },
      ],
      summary: {
        passing: 9,
        total: 10,
        blockedBy: ['rto-rpo-verification'],
        waived: [],
        ready: false,
        text: '9 of 10 gates pass; blocked by rto-rpo-verification',
      },
      evaluatedAt: new Date(Date.now() - 120_000).toISOString(),
    }));
    const getCapabilities = jest.fn(async () => ({}));
    const listReleases = jest.fn(async () => ({
      items: [],
      environments: ['production', 'staging'],
    }));
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            rcoApiRef,
            { getStatus, getCapabilities, listReleases } as unknown as RcoApi,
          ],
        ]}
      >
        <EntityProvider entity={entity}>
          <ReleaseOverviewCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'Blocked in production · Blocked by 1 gate: RTO/RPO Verification · 9 of 10 gates pass',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'v1.3.2 in each environment: staging: Ready · production: Blocked by 1 gate',
      ),
    ).toBeInTheDocument();
    const gates = screen.getByRole('list', { name: 'Gates not passing' });
    expect(gates).toHaveTextContent(
      /older than RPO; see Migration ControlsStale$/,
    );
    expect(gates).not.toHaveTextContent('2026-11-29T20:00:00Z');
    expect(screen.getByText('2 minutes ago')).toBeInTheDocument();
    // Judged where the Release tab judges by default: the first environment listed.
    expect(getStatus).toHaveBeenCalledWith(expect.anything(), {
      environment: 'production',
    });
  });
});

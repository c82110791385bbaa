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
    await renderInTestApp(
      <TestApiProvider apis={[[rcoApiRef, { getStatus } as unknown as RcoApi]]}>
        <EntityProvider entity={entity}>
          <ReleaseOverviewCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/Blocked by 1 gate · 9 of 10 gates pass/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Image & Dependency Scanning' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Trivy report has 1 HIGH: CVE-2024-34156'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Acronym Clarity')).not.toBeInTheDocument();
  });
});

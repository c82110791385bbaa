import { GateResult } from '@helix-portal/plugin-rco-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { GateTable } from './GateTable';

const evidence = (
  id: string,
  source: 'ci' | 'human' | 'cluster' | 'system',
  imageAssertedBy?: string,
) => ({
  id,
  kind: 'trivy',
  sha256: 'a'.repeat(64),
  collectedAt: new Date().toISOString(),
  subject: {},
  source,
  submitter: source === 'ci' ? 'service:ci-rco' : 'user:default/alice',
  ...(imageAssertedBy ? { imageAssertedBy } : {}),
});

const gate = (items: GateResult['evidence']): GateResult => ({
  id: 'image-scanning',
  title: 'Image & Dependency Scanning',
  verification: 'Trivy, Cosign, SBOM',
  status: 'fail',
  reasons: ['Trivy report has 1 CRITICAL'],
  evidence: items,
  evaluatedAt: new Date().toISOString(),
});

describe('GateTable', () => {
  it("shows who attested a gate's evidence and an image only its uploader vouches for", async () => {
    await renderInTestApp(
      <GateTable
        gates={[
          gate([
            evidence('e1', 'ci'),
            evidence('e2', 'system', 'system:demo-evidence'),
          ]),
        ]}
        runbookPath="/runbook"
        onOpenEvidence={() => {}}
      />,
    );
    const row = screen.getByText('Image & Dependency Scanning').closest('tr')!;
    expect(
      within(row).getByText(
        'from CI, console; image asserted by system:demo-evidence',
      ),
    ).toBeInTheDocument();
  });

  it('names who uploaded the evidence, the console by what it is, and says evidence about the image counts everywhere (issue 12, points 4 and 7)', async () => {
    await renderInTestApp(
      <GateTable
        gates={[
          gate([
            { ...evidence('e1', 'human'), scope: 'image' },
            {
              ...evidence('e2', 'system'),
              submitter: 'rco:operation:1cdcd30f',
              scope: 'image',
            },
          ]),
        ]}
        runbookPath="/runbook"
        onOpenEvidence={() => {}}
      />,
    );
    const row = screen.getByText('Image & Dependency Scanning').closest('tr')!;
    expect(row).toHaveTextContent('uploaded by alice, a console operation');
    expect(row).not.toHaveTextContent('rco:operation');
    expect(
      within(row).getByText('about the image: counts everywhere'),
    ).toBeInTheDocument();
  });
});

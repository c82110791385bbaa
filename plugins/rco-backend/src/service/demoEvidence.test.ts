import { mockServices } from '@backstage/backend-test-utils';
import path from 'node:path';
import { EvidenceStore, NewEvidence } from '../database/EvidenceStore';
import { EvidenceService } from '../evidence/EvidenceService';
import { entityRepositories } from '../evidence/imageIdentity';
import { builtinParsers } from '../evidence/parsers';
import { examplesDir } from '../__testUtils__/fixtures';
import { seedDemoEvidence } from './demoEvidence';

describe('seedDemoEvidence', () => {
  it("loads every demo document under the local portal's image repository check", async () => {
    const added: NewEvidence[] = [];
    const store = {
      list: async () => [],
      add: async (records: NewEvidence[]) => {
        added.push(...records);
        return records.map(r => ({ record: r as any, created: true }));
      },
    } as unknown as EvidenceStore;
    // app-config.yaml's environments name registry.helix.example/rco.
    const service = new EvidenceService(store, builtinParsers, () =>
      entityRepositories(['registry.helix.example/rco'], 'rco'),
    );
    await seedDemoEvidence({
      evidenceService: service,
      evidenceStore: store,
      logger: mockServices.logger.mock(),
      dir: path.join(examplesDir, 'rco/evidence'),
    });
    const images = added.filter(r =>
      ['trivy', 'grype', 'cyclonedx', 'cosign', 'sigstore-bundle'].includes(
        r.kind,
      ),
    );
    // Issue 13: the demo release also carries a Sigstore bundle the console verifies.
    expect(images).toHaveLength(5);
    for (const r of images)
      expect((r.summary as any).image.repositories).toEqual([
        'registry.helix.example/rco',
      ]);
  });
});

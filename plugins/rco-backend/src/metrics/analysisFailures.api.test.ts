import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { JudgementStore } from '../database/JudgementStore';
import { FAILED_RUN } from './__testUtils__/decisions';
import { MetricsReader } from './MetricsReader';

/**
 * The failed analyses the metrics count (issue 17) on SQLite and PostgreSQL: only those the
 * progressive-delivery gate would read.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'failed analyses on %s',
  databaseId => {
    it('does not count a person’s hand-uploaded "Failed" AnalysisRun as a failed change signal', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      try {
        // Any owner may upload evidence (source "human"); no gate accepts a person's AnalysisRun
        // (sources are declared per gate: progressive-delivery reads machines only), yet the
        // metrics read every argo-analysis-run row as "the console read a failed AnalysisRun".
        const up = await request(app)
          .post(
            `${RCO}/evidence?kind=argo-analysis-run&environment=staging&version=1.5.0&digest=${DIGEST}`,
          )
          .set('Authorization', asUser('alice'))
          .set('Content-Type', 'application/yaml')
          .send(FAILED_RUN);
        expect(up.status).toBe(201);
        expect(up.body.items[0].source).toBe('human');
        const reader = new MetricsReader(knex, new JudgementStore(knex));
        const failures = async () =>
          (
            await reader.read(
              {
                environment: 'staging',
                from: new Date(Date.now() - 86_400_000),
                to: new Date(Date.now() + 86_400_000),
              },
              ['component:default/rco'],
            )
          ).analysisFailures;
        expect(await failures()).toEqual([]);
        // The same run uploaded by CI, a source the gate accepts, counts.
        const ci = await request(app)
          .post(
            `${RCO}/evidence?kind=argo-analysis-run&environment=staging&version=1.5.0&digest=${DIGEST}`,
          )
          .set('Authorization', asService('external:ci-rco'))
          .set('Content-Type', 'application/yaml')
          .send(FAILED_RUN);
        expect(ci.status).toBe(201);
        expect((await failures()).map(f => f.id)).toEqual([
          ci.body.items[0].id,
        ]);
      } finally {
        await backend.stop();
      }
    });
  },
);

import { createTestDatabases } from '../__testUtils__/databases';
import { startOperationsBackend } from '../__testUtils__/operationsBackend';
import { ReleaseService } from '../service/ReleaseService';
import { oneDecision } from './__testUtils__/decisions';

/**
 * A deploy's recorded judgement (issue 17) on SQLite and PostgreSQL: the gates it stores were
 * judged at the instant it records, or the replay (which judges at judgedAt) differs from them.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'recorded judgements on %s',
  databaseId => {
    it('judges the gates at the very instant the judgement records (judgedAt), so the replay at judgedAt is the same judgement', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      const judge = ReleaseService.prototype.judge;
      const evaluatedAt: Date[] = [];
      const evaluate = (ReleaseService.prototype as any).evaluate;
      // Reading a release's inputs takes time (a database round trip); here 20 ms before the
      // judgement starts reading: whatever ReleaseService.judge takes as `now` is what the gates
      // were judged at.
      const judgeSpy = jest
        .spyOn(ReleaseService.prototype, 'judge')
        .mockImplementation(async function (this: any, ...args: any[]) {
          await new Promise(r => setTimeout(r, 20));
          return (judge as any).apply(this, args);
        });
      const evaluateSpy = jest
        .spyOn(ReleaseService.prototype as any, 'evaluate')
        .mockImplementation(function (this: any, ...args: any[]) {
          evaluatedAt.push(args[3] as Date);
          return evaluate.apply(this, args);
        });
      try {
        await oneDecision(app);
        const rows = await knex('rco_judgements').select('judged_at');
        expect(rows).toHaveLength(1);
        // SQLite returns epoch milliseconds, PostgreSQL a Date.
        const judgedAt = new Date(rows[0].judged_at).getTime();
        // The gate statuses stored were evaluated at this instant, or the replay (which judges at
        // judgedAt) can differ from them at a waiver's expiry or an evidence's maxAge.
        expect(evaluatedAt.map(d => d.getTime())).toContain(judgedAt);
      } finally {
        judgeSpy.mockRestore();
        evaluateSpy.mockRestore();
        await backend.stop();
      }
    });
  },
);

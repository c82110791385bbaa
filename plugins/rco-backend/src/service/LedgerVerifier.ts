import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { Ledger } from '../database/Ledger';
import { LedgerCheckpoints } from '../database/LedgerCheckpoints';
import { reconcileLedger } from '../database/LedgerReconciler';

/** What GET /ledger/verify answers: the newest stored run. */
export interface LedgerVerificationResult {
  /** False until a run has finished, and whenever the last one found a problem. */
  ok: boolean;
  /** When the run this reports started; absent before the first run. */
  ranAt?: string;
  /** Entries hashed by that run (those appended since their chain's checkpoint). */
  entries: number;
  /** Checkpoints checked against their signature and the entry they name. */
  checkpoints: number;
  /** Rows of the tables the gates read, compared with their ledger entries. */
  rows: number;
  /** Whether checkpoints are signed with a key the database does not hold. */
  signed: boolean;
  /** Whether this run re-hashed every chain from its start instead of from its checkpoint. */
  full: boolean;
  /** The newest full walk of the instance that ran this that found every chain intact. */
  lastFullWalkAt?: string;
  firstBroken?: { seq: number; reason: string };
  problems: Array<{
    table?: string;
    id?: string;
    chain?: string;
    seq?: number;
    problem: string;
    /** The entity a row problem is about (readers see only those of entities they see). */
    entityRef?: string | null;
  }>;
  /** Tampering this verification cannot find, plainly. */
  cannotDetect: string[];
}

const LIMITS = [
  'a writer who also holds the checkpoint key',
  "deletion of a chain's newest entries written since its last checkpoint, together with their rows",
  'the checkpoints, their signed record and the entries all restored together from an older copy of the database (newer entries lost), unless this backend instance saw the newer record',
  'the newest stored verification outcomes deleted so that an older genuine one is read (its ranAt shows its age), unless this backend instance saw a newer one',
  'changes to a stored raw evidence document that keep its size (the gates read its summary, which is checked)',
  'rows of operations (checked through their chain only), and which stored runbook version is current (rco_runbook_state)',
];
/** What an unsigned ledger cannot detect (the start-up line says it once). */
export const NO_CHECKPOINT_KEY =
  'no checkpoint key is configured (rco.ledger.checkpointKey or checkpointKeyFile): someone who can write the database and recompute the hashes is not detected, entries appended at the end of a chain are not detected, and the stored verification result can be forged';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 30 },
};

/**
 * Verifies the ledger on the Backstage scheduler (one instance at a time across replicas) and
 * stores the outcome; readers (the status page, GET /ledger/verify) use the stored outcome and
 * never verify themselves. Each run checks the signed checkpoints, hashes the entries appended
 * since them, reconciles the tables the gates read with their entries (a full scan), and signs
 * the new chain heads. An on-demand run (POST /ledger/verify) is single-flight per instance and
 * starts only when the newest run of any instance is older than `onDemandIntervalMs`.
 */
export class LedgerVerifier {
  private running?: Promise<LedgerVerificationResult>;
  private lastStarted = 0;
  /** When this instance last re-hashed every chain and found them intact. */
  private lastFullWalk = 0;

  constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
    private readonly checkpoints: LedgerCheckpoints,
    private readonly logger: LoggerService,
    private readonly onDemandIntervalMs: number,
    /** How often a run re-hashes everything (see verify). */
    private readonly fullWalkIntervalMs: number,
  ) {}

  /**
   * Told each run's outcome (set once at start): the release pillars read whether the ledger
   * verifies, so the stored verdicts are judged again when that changes (ADR 0011).
   */
  onOutcome?: (ok: boolean) => void;

  /** Registers the scheduled run. */
  async schedule(
    scheduler: SchedulerService,
    schedule: SchedulerServiceTaskScheduleDefinition = DEFAULT_SCHEDULE,
    /** False when the caller already said it in its start-up line (the plugin does). */
    warnUnsigned = true,
  ) {
    if (!this.checkpoints.signed && warnUnsigned)
      this.logger.warn(`Ledger: ${NO_CHECKPOINT_KEY}`);
    await scheduler.scheduleTask({
      id: 'rco-ledger-verify',
      scope: 'global',
      ...schedule,
      fn: async () => {
        await this.run();
      },
    });
  }

  /** The newest stored outcome (a read; never starts a run). */
  async latest(): Promise<LedgerVerificationResult> {
    const stored = await this.ledger.latestVerification();
    // What this verification can and cannot find is said by this configuration, not the row.
    if (stored) {
      return {
        ...stored.result,
        signed: this.checkpoints.signed,
        cannotDetect: this.limits(),
      };
    }
    return {
      ok: false,
      entries: 0,
      checkpoints: 0,
      rows: 0,
      signed: this.checkpoints.signed,
      full: false,
      problems: [{ problem: 'not verified yet: the first run is scheduled' }],
      cannotDetect: this.limits(),
    };
  }

  /** A run now, unless one runs (joined) or the newest ran within the interval (its outcome). */
  onDemand(): Promise<LedgerVerificationResult> {
    if (this.running) return this.running;
    if (Date.now() - this.lastStarted < this.onDemandIntervalMs) {
      return this.latest();
    }
    this.lastStarted = Date.now();
    return this.singleFlight(async () => {
      // Another instance may have run within the interval.
      const stored = await this.ledger.latestVerification();
      const age = stored ? Date.now() - stored.startedAt.getTime() : Infinity;
      return age < this.onDemandIntervalMs ? stored!.result : this.verify();
    });
  }

  /** One verification run, single-flight within this instance (the scheduled task). */
  run(): Promise<LedgerVerificationResult> {
    return this.singleFlight(() => this.verify());
  }

  private singleFlight(fn: () => Promise<LedgerVerificationResult>) {
    this.running ??= fn().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private limits() {
    return this.checkpoints.signed ? LIMITS : [NO_CHECKPOINT_KEY, ...LIMITS];
  }

  /**
   * Most runs hash only what was appended since each checkpoint. An entry edited before its
   * chain's checkpoint without recomputing the later hashes leaves the checkpoint valid, so once
   * per `fullWalkIntervalMs` (and after any full walk that found a problem) a run re-hashes
   * everything from the start.
   */
  private async verify(): Promise<LedgerVerificationResult> {
    const startedAt = new Date();
    this.lastStarted = startedAt.getTime();
    // Kept in memory, not in the database a writer could tell that a full walk just happened.
    const full =
      !this.lastFullWalk ||
      startedAt.getTime() - this.lastFullWalk >= this.fullWalkIntervalMs;
    const { checked, walk, reconciliation } = await this.ledger.snapshot(
      async tx => {
        const check = await this.checkpoints.check(tx);
        return {
          checked: check,
          walk: await this.ledger.walkFromCheckpoints(tx, {
            signedOnly: this.checkpoints.signed,
            full,
            macAfter: check.macAfter,
          }),
          reconciliation: await reconcileLedger(tx),
        };
      },
    );
    if (full && walk.broken.size === 0) this.lastFullWalk = startedAt.getTime();
    // A chain with a problem keeps its old checkpoint, so every later run reports it again.
    const hold = new Set([
      ...checked.problems.map(p => p.chain),
      ...walk.broken.keys(),
    ]);
    // A signed record of all heads that does not hold ('*') is never signed over.
    if (!hold.has('*')) {
      await this.checkpoints.save(
        this.db,
        [...walk.heads]
          .filter(([chain]) => !hold.has(chain))
          .map(([chain, head]) => ({ chain, ...head })),
        checked.macAfter,
      );
    }
    const problems: LedgerVerificationResult['problems'] = [
      ...checked.problems.map(p => ({
        chain: p.chain,
        seq: p.seq,
        problem: `checkpoint: ${p.problem}`,
      })),
      ...[...walk.broken].map(([chain, b]) => ({
        chain,
        seq: b.seq,
        problem: b.reason,
      })),
      ...reconciliation.problems,
    ];
    const result: LedgerVerificationResult = {
      ok: problems.length === 0,
      ranAt: startedAt.toISOString(),
      entries: walk.entries,
      checkpoints: checked.checked,
      rows: reconciliation.rows,
      signed: this.checkpoints.signed,
      full,
      lastFullWalkAt: this.lastFullWalk
        ? new Date(this.lastFullWalk).toISOString()
        : undefined,
      ...(walk.firstBroken ? { firstBroken: walk.firstBroken } : {}),
      problems,
      cannotDetect: this.limits(),
    };
    await this.ledger.recordVerification({ startedAt, ok: result.ok, result });
    this.onOutcome?.(result.ok);
    if (!result.ok) {
      this.logger.error(
        `Ledger verification found ${problems.length} problem(s): ${problems
          .slice(0, 5)
          .map(
            p =>
              `${p.table ?? p.chain ?? ''} ${p.id ?? p.seq ?? ''}: ${
                p.problem
              }`,
          )
          .join('; ')}`,
      );
    }
    return result;
  }
}

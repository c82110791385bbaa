import request from 'supertest';
import { readSample } from '../../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
} from '../../__testUtils__/operationsBackend';

/** One request of the burst, as its caller saw it. */
export interface Outcome {
  kind: 'upload' | 'signoff' | 'deploy' | 'confirm' | 'status';
  /** Which backend instance was asked. */
  instance: string;
  startedAt: number;
  endedAt: number;
  /** 0 when no HTTP answer came (the instance was gone). */
  status: number;
  body: any;
  text: string;
  /** The transport error when no HTTP answer came (code only). */
  transport?: string;
}

export type Phase = 'before' | 'fault' | 'after';
const PHASES: Phase[] = ['before', 'fault', 'after'];

/** A backend instance the burst fires at, by URL (a stopped one must refuse, not be revived). */
export interface Target {
  name: string;
  url: string;
}

/** A real gitleaks report: its findings' secrets must never come back in any answer. */
export const GITLEAKS = readSample('gitleaks-report-json-simple.json');
const SIGNERS = [
  ['po', 'paula'],
  ['dpo', 'dana'],
  ['security', 'sam'],
] as const;
/** Longer than any answer may take: a request that hangs is a failure, not a wait. */
const DEADLINE_MS = 20_000;

export const serviceBase = (service: string) =>
  `/api/rco/entities/component/default/${service}`;

/**
 * Fires uploads, sign-offs, deploys (with their confirmation) and status reads at the targets,
 * several at a time, until told to stop, and records every answer. Each upload is a new record
 * (its own version label); each deploy is of a service of its own, so no request is refused for
 * a business reason (one active operation per service) and every answer must be a 2xx or a 503.
 */
export class Burst {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private seq = 0;
  private readonly workers: Promise<void>[] = [];
  /** Requests sent and not answered yet, with when they were sent. */
  private readonly inFlight = new Set<{ what: string; startedAt: number }>();
  /** Where the fault is: deploys are spread over before, during and after it. */
  phase: Phase = 'before';

  constructor(
    private readonly targets: () => Target[],
    /** The services deployed in each phase, one deploy each. */
    private readonly deployServices: Record<Phase, string[]>,
  ) {}

  /** Answers per kind and status (`upload 201: 40`), to say what a stuck burst saw. */
  summary(where: (o: Outcome) => boolean = () => true) {
    const counts = new Map<string, number>();
    for (const o of this.outcomes.filter(where)) {
      const key = `${o.kind} ${o.status || o.transport}${
        o.status >= 300
          ? ` ${o.body?.error?.message ?? o.text}`
              // One line per kind of answer, not per log id.
              .replace(/logId=\w+/, 'logId=…')
              .slice(0, 160)
          : ''
      }`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const waiting = [...this.inFlight].map(
      p => `${p.what}: no answer for ${Date.now() - p.startedAt} ms`,
    );
    return [...[...counts].map(([k, n]) => `${k}: ${n}`), ...waiting].join(
      '\n',
    );
  }

  /**
   * Polls `until` (see waitUntil); when it gives up, the error lists the answers since `since`,
   * so a failure says what the burst saw.
   */
  async waitFor(what: string, until: () => boolean, ms: number, since = 0) {
    await waitUntil(what, until, ms).catch(error => {
      throw new Error(
        `${error.message}; answers since then:\n${this.summary(
          o => o.startedAt >= since,
        )}`,
      );
    });
  }

  /** Answers recorded so far that match `where`. */
  count(where: (o: Outcome) => boolean) {
    return this.outcomes.filter(where).length;
  }

  /** Starts `uploads` upload workers, `signoffs` sign-off workers, a deployer and a reader. */
  start(o: { uploads: number; signoffs: number }) {
    for (let i = 0; i < o.uploads; i++) this.loop(() => this.upload());
    for (let i = 0; i < o.signoffs; i++) this.loop(() => this.signoff());
    this.workers.push(this.deployAll());
    this.loop(() => this.status());
  }

  async stop() {
    this.stopped = true;
    await Promise.all(this.workers);
  }

  private loop(step: () => Promise<void>) {
    this.workers.push(
      (async () => {
        while (!this.stopped) await step();
      })(),
    );
  }

  private target() {
    const all = this.targets();
    return all[this.seq++ % all.length];
  }

  private async send(
    kind: Outcome['kind'],
    target: Target,
    build: (agent: ReturnType<typeof request>) => request.Test,
  ): Promise<Outcome> {
    const startedAt = Date.now();
    const pending = { what: `${kind} on ${target.name}`, startedAt };
    this.inFlight.add(pending);
    let outcome: Outcome;
    try {
      const res = await build(request(target.url)).timeout(DEADLINE_MS);
      outcome = {
        kind,
        instance: target.name,
        startedAt,
        endedAt: Date.now(),
        status: res.status,
        body: res.body,
        text: res.text,
      };
    } catch (error: any) {
      outcome = {
        kind,
        instance: target.name,
        startedAt,
        endedAt: Date.now(),
        status: 0,
        body: undefined,
        text: '',
        transport: error?.code ?? error?.name ?? 'unknown',
      };
    }
    this.inFlight.delete(pending);
    this.outcomes.push(outcome);
    return outcome;
  }

  private async upload() {
    const n = this.seq;
    await this.send('upload', this.target(), agent =>
      agent
        // A commit of its own per upload: identical uploads would be one record.
        .post(`${RCO}/evidence?commit=${n.toString(16).padStart(7, '0')}`)
        .set('Authorization', asService('external:ci-rco'))
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from(GITLEAKS)),
    );
  }

  private async signoff() {
    const [role, who] = SIGNERS[this.seq % SIGNERS.length];
    await this.send('signoff', this.target(), agent =>
      agent
        .post(`${RCO}/signoffs`)
        .set('Authorization', asUser(who))
        .send({ role, release: RELEASE, comment: `burst ${this.seq}` }),
    );
  }

  /** Each phase's deploys, one after another, once the burst has reached that phase. */
  private async deployAll() {
    for (const phase of PHASES) {
      await waitUntil(
        `the ${phase} phase`,
        () =>
          this.stopped || PHASES.indexOf(this.phase) >= PHASES.indexOf(phase),
        60_000,
      );
      for (const service of this.deployServices[phase]) {
        if (this.stopped) return;
        await this.deploy(service);
      }
    }
  }

  /** A deploy of `service`, confirmed on the instance that planned it. */
  private async deploy(service: string) {
    const target = this.target();
    const created = await this.send('deploy', target, agent =>
      agent
        .post(`${serviceBase(service)}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'deploy', environment: 'staging', release: RELEASE }),
    );
    if (created.status !== 202) return;
    await this.send('confirm', target, agent =>
      agent
        .post(`/api/rco/operations/${created.body.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: service }),
    );
  }

  private async status() {
    await this.send('status', this.target(), agent =>
      agent
        .get(
          `${RCO}/status?version=${RELEASE.version}&digest=${RELEASE.digest}`,
        )
        .set('Authorization', asUser('alice')),
    );
    // Reads are not what this burst is about: one at a time, a little apart.
    await new Promise(r => setTimeout(r, 20));
  }
}

/** Polls `until` every 25 ms for at most `ms`; says what it waited for when it gives up. */
export async function waitUntil(
  what: string,
  until: () => boolean | Promise<boolean>,
  ms: number,
) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await until()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`Gave up after ${ms} ms waiting for ${what}`);
}

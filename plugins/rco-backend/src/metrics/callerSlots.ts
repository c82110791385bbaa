import { TooManyRequestsError } from '../collectors/TooManyRequestsError';

/**
 * At most `perCaller` runs of an expensive read at once for each caller (review R2: one caller,
 * a CI token among them, could hold every slot of the instance and each new query parameter
 * started a new full computation). Beyond it the caller is answered 429 at once, never queued:
 * a queue would hold the caller's connections open instead.
 */
export class CallerSlots {
  private readonly running = new Map<string, number>();

  constructor(
    private readonly perCaller: number,
    /** What the caller is told when it asks for one more. */
    private readonly refusal: string,
  ) {}

  async run<T>(caller: string, work: () => Promise<T>): Promise<T> {
    const now = this.running.get(caller) ?? 0;
    if (now >= this.perCaller) throw new TooManyRequestsError(this.refusal, 5);
    this.running.set(caller, now + 1);
    try {
      return await work();
    } finally {
      const left = (this.running.get(caller) ?? 1) - 1;
      if (left > 0) this.running.set(caller, left);
      else this.running.delete(caller);
    }
  }
}

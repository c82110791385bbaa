/**
 * At most `n` reads of one cluster at a time: a cluster with many namespaces is read within its
 * timeout without opening a request per (kind, namespace) all at once.
 */
export function limiter(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= n) await new Promise<void>(resolve => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export type Limiter = ReturnType<typeof limiter>;

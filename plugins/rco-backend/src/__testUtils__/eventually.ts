/**
 * Stored verdicts are recomputed after a write returns (issue 14): tests read them back by
 * asking until the expectation holds, within a bound, and fail with the last error otherwise.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  expectation: (value: T) => void,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    try {
      expectation(value);
      return value;
    } catch (error) {
      if (Date.now() > end) throw error;
    }
    await new Promise(r => setTimeout(r, 25));
  }
}

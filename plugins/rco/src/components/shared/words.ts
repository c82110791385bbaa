/** "1 gate", "3 gates". */
export const plural = (n: number, noun: string, nouns = `${noun}s`) =>
  `${n} ${n === 1 ? noun : nouns}`;

/** "2 of 7 requirements unmet". */
export const countOf = (
  n: number,
  total: number,
  nouns: string,
  state: string,
) => `${n} of ${total} ${nouns} ${state}`;

/** "succeeded" → "Succeeded": a status or phase word from the backend, as the chips say it. */
export const capitalised = (word: string) =>
  word ? word[0].toUpperCase() + word.slice(1) : word;

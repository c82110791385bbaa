import { AttemptsError } from './client';
import { CliError, describeError, RequestContext } from './errors';

/** Runs one backend call; a failure becomes the sentence describeError makes, exit `code`. */
export async function call<T>(
  ctx: RequestContext,
  fn: () => Promise<T>,
  code = 1,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const attempts = error instanceof AttemptsError ? error.attempts : 1;
    const cause = error instanceof AttemptsError ? error.cause : error;
    throw new CliError(describeError(cause, { ...ctx, attempts }), code);
  }
}

import { CustomErrorBase } from '@backstage/errors';

/**
 * A request refused for its rate, not its content: answered 429 with a Retry-After header.
 * @backstage/errors has no such class; the backend's error handler takes the status from
 * `statusCode`, and the route copies `retryAfterSeconds` into the header (clients and proxies
 * then back off instead of treating the refusal as a conflict to resolve).
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;

  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

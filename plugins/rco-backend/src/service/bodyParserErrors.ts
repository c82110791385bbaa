import { InputError } from '@backstage/errors';
import { NextFunction, Request, Response } from 'express';
import { jsonError } from '../evidence/decode';

/**
 * Errors of Express's body parsers (body-parser) answered in our own words. Their messages
 * quote the input: a JSON syntax error carries V8's ten characters either side of the error
 * (`..."ication": AKIAJHTSNV"... is not valid JSON`), an unknown charset is echoed back. Anything
 * passed on would reach the caller and the logs verbatim (the OpenAPI validator turns an error
 * into an InputError with the same message), so nothing of the parser's message is kept: a
 * JSON error says where (line and column) and what, never the text.
 */

interface BodyParserError extends Error {
  type?: string;
  /** The body as received, on parse errors. */
  body?: unknown;
}

function answer(
  req: Request,
  res: Response,
  status: number,
  name: string,
  message: string,
) {
  res.status(status).json({
    error: { name, message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: status },
  });
}

/**
 * Calls `next` with an error safe to show, or answers the request itself (statuses the
 * validator would turn into 400). `limit` names the size limit in the 413.
 */
export function handleBodyParserError(
  error: unknown,
  req: Request,
  res: Response,
  next: NextFunction,
  limit: string,
): void {
  const parserError = error as BodyParserError | undefined;
  if (!parserError || typeof parserError.type !== 'string') {
    next(error);
    return;
  }
  switch (parserError.type) {
    case 'entity.parse.failed':
      next(
        jsonError(
          typeof parserError.body === 'string' ? parserError.body : '',
          parserError,
          'Invalid JSON in the request body',
        ),
      );
      return;
    case 'entity.too.large':
      answer(
        req,
        res,
        413,
        'PayloadTooLargeError',
        `The request body is larger than the limit of ${limit}`,
      );
      return;
    case 'charset.unsupported':
    case 'encoding.unsupported':
      answer(
        req,
        res,
        415,
        'UnsupportedMediaTypeError',
        'Unsupported charset or content encoding: send UTF-8 (identity, gzip, deflate or br)',
      );
      return;
    default:
      next(new InputError('The request body could not be read'));
  }
}

import express from 'express';
import request from 'supertest';
import { handleBodyParserError } from './bodyParserErrors';

const SECRET = 'AKIAJHTSNVQ2E5X7Y3ZA';

/** An app whose JSON parser errors go through the handler, as in router.ts. */
function app() {
  const json = express.json({ limit: '100b' });
  const server = express();
  server.use((req, res, next) =>
    json(req, res, error =>
      handleBodyParserError(error, req, res, next, '100 bytes'),
    ),
  );
  server.post('/x', (req, res) => {
    res.json(req.body);
  });
  server.use((error: Error, _req: any, res: express.Response, _next: any) => {
    res
      .status(400)
      .json({ error: { name: error.name, message: error.message } });
  });
  return server;
}

const post = (body: string, type = 'application/json') =>
  request(app()).post('/x').set('Content-Type', type).send(body);

describe('handleBodyParserError', () => {
  it.each([
    [`{"justification": ${SECRET}}`, 'line 1, column 19'],
    [`{"gate": "g", "justification": ${SECRET}}`, 'line 1, column 32'],
    [`${SECRET}`, 'line 1, column 1'],
    [`{"a": "${SECRET}`, ''],
    [`{"a": 1}\n${SECRET}`, ''],
  ])('answers %j with where, never what', async (body, where) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(/^Invalid JSON in the request body/);
    expect(res.body.error.message).toContain(where);
    expect(res.text).not.toContain(SECRET.slice(0, 6));
  });

  it('answers an unknown charset without naming it', async () => {
    const res = await post('{}', `application/json; charset=${SECRET}`);
    expect(res.status).toBe(415);
    expect(res.text).not.toContain(SECRET.slice(0, 6));
  });

  it('answers a body over the limit with 413', async () => {
    const res = await post(JSON.stringify({ a: 'x'.repeat(200) }));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('100 bytes');
  });

  it('passes a valid body through', async () => {
    const res = await post('{"a":1}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ a: 1 });
  });
});

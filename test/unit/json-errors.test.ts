// The JSON error family (src/core/json-errors.ts): what a JSON route answers when it refuses, and when something
// unexpected happens.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { pino } from 'pino';
import request from 'supertest';
import { ApiError, jsonErrors } from '../../src/core/json-errors.js';
import { RETRY_AFTER_SECONDS } from '../../src/core/database-unavailable.js';

/** A JSON route that throws `error`, with the log lines it writes. */
function route(error: unknown) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  const app = new Koa();
  app.use(jsonErrors(logger, 'test route'));
  app.use(() => {
    throw error;
  });
  return { handler: app.callback(), lines };
}

describe('jsonErrors', () => {
  it('answers an ApiError with its status, headers and { error, error_description }, not cached', async () => {
    const { handler, lines } = route(
      new ApiError('invalid_token', 'the access token is not valid', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      }),
    );
    const res = await request(handler).get('/');
    assert.equal(res.status, 401);
    assert.match(res.headers['content-type']!, /application\/json/);
    assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.body, { error: 'invalid_token', error_description: 'the access token is not valid' });
    assert.equal(lines.length, 0, 'a refusal is not logged as a failure');
  });

  it('leaves error_description out when there is none', async () => {
    const res = await request(route(new ApiError('not_found')).handler).get('/');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: 'not_found' });
  });

  it('answers anything unexpected with 500 server_error and no detail, the stack only in the log', async () => {
    const { handler, lines } = route(new Error('secret detail of a bug'));
    const res = await request(handler).get('/');
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: 'server_error' });
    assert.doesNotMatch(res.text, /secret detail/);
    const logged = lines.find((l) => l.msg === 'test route failed');
    assert.match(JSON.stringify(logged?.err), /secret detail of a bug/);
  });

  it('answers 503 temporarily_unavailable with Retry-After while the database cannot be reached', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const res = await request(route(down).handler).get('/');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], String(RETRY_AFTER_SECONDS));
    assert.equal(res.body.error, 'temporarily_unavailable');
  });

  it("answers a library's client error (Koa's expose) as invalid_request", async () => {
    const res = await request(route(Object.assign(new Error('bad'), { status: 400, expose: true })).handler).get('/');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request' });
  });
});

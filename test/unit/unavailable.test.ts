// Which errors mean "the database is unavailable" (503 + Retry-After) and which remain bugs (500), and how the
// provider middleware turns a marked 500 into a 503.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import Koa from 'koa';
import knexFactory from 'knex';
import pg from 'pg';
import request from 'supertest';
import {
  isDatabaseUnavailable,
  markIfUnavailable,
  providerUnavailable,
  RETRY_AFTER_SECONDS,
} from '../../src/http/unavailable.js';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function pgError(code: string, message: string) {
  return Object.assign(new Error(message), { code, severity: 'FATAL', name: 'error' });
}

describe('isDatabaseUnavailable', () => {
  it('recognises what pg and knex really throw when nothing listens on the database port', async () => {
    const port = await closedPort();
    const client = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${port}/x`,
      connectionTimeoutMillis: 2000,
    });
    const direct = await client.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(direct, 'pg refuses');
    assert.equal(isDatabaseUnavailable(direct), true, String(direct));

    const db = knexFactory({
      client: 'pg',
      connection: { connectionString: `postgres://postgres@localhost:${port}/x` },
      pool: { min: 0, max: 2 },
      acquireConnectionTimeout: 2000,
      log: { warn() {} },
    });
    const started = Date.now();
    const viaKnex = await db.raw('select 1').then(
      () => undefined,
      (err: unknown) => err,
    );
    await db.destroy();
    assert.ok(viaKnex);
    assert.ok(Date.now() - started < 1500, 'a refused connection fails at once, not after the acquire timeout');
    assert.equal(isDatabaseUnavailable(viaKnex), true, String(viaKnex));
  });

  it('recognises a server shutting down, starting up or full, and broken connections', () => {
    assert.equal(isDatabaseUnavailable(pgError('57P01', 'terminating connection due to administrator command')), true);
    assert.equal(
      isDatabaseUnavailable(pgError('57P02', 'terminating connection because of crash of another server process')),
      true,
    );
    assert.equal(isDatabaseUnavailable(pgError('57P03', 'the database system is starting up')), true);
    assert.equal(isDatabaseUnavailable(pgError('57P03', 'the database system is shutting down')), true);
    assert.equal(isDatabaseUnavailable(pgError('53300', 'sorry, too many clients already')), true);
    assert.equal(isDatabaseUnavailable(pgError('08006', 'connection failure')), true);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated due to connection timeout')), true);
    assert.equal(
      isDatabaseUnavailable(new Error('select 1 - Client has encountered a connection error and is not queryable')),
      true,
    );
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
  });

  it('recognises a pool that found no connection in time (KnexTimeoutError)', () => {
    const err = new knexFactory.KnexTimeoutError(
      'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
    );
    assert.equal(err.name, 'KnexTimeoutError');
    assert.equal(isDatabaseUnavailable(err), true);
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('x'), { name: 'KnexTimeoutError' })), true);
  });

  it('looks through causes and AggregateError (a host name with an IPv4 and an IPv6 address)', () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    assert.equal(isDatabaseUnavailable(new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432')])), true);
    assert.equal(
      isDatabaseUnavailable(
        new Error('could not load the interaction', { cause: pgError('57P01', 'terminating connection') }),
      ),
      true,
    );
    assert.equal(
      isDatabaseUnavailable(
        new Error('a', { cause: new Error('b', { cause: new Error('Connection terminated unexpectedly') }) }),
      ),
      true,
    );
  });

  it('leaves everything else alone: SQL errors, bugs, client errors, non-errors', () => {
    assert.equal(
      isDatabaseUnavailable(pgError('23505', 'duplicate key value violates unique constraint "accounts_pkey"')),
      false,
    );
    assert.equal(isDatabaseUnavailable(pgError('42P01', 'relation "nope" does not exist')), false);
    assert.equal(isDatabaseUnavailable(pgError('40001', 'could not serialize access due to concurrent update')), false);
    assert.equal(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')")), false);
    assert.equal(isDatabaseUnavailable(new Error('boom')), false);
    // raw-body's "request aborted" (the client went away) is a 400 meant for the client.
    assert.equal(
      isDatabaseUnavailable(
        Object.assign(new Error('request aborted'), { code: 'ECONNABORTED', status: 400, expose: true }),
      ),
      false,
    );
    assert.equal(isDatabaseUnavailable(null), false);
    assert.equal(isDatabaseUnavailable(undefined), false);
    assert.equal(isDatabaseUnavailable('ECONNREFUSED'), false);
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    assert.equal(isDatabaseUnavailable(loop), false, 'a cause cycle ends');
  });
});

describe('providerUnavailable', () => {
  /** A stand-in for oidc-provider: renders its own error (500 server_error) and emits server_error. */
  function providerLike(error: Error, kind: 'json' | 'html' | 'throw') {
    const app = new Koa();
    app.silent = true;
    app.use(providerUnavailable());
    app.use(async (ctx) => {
      if (kind === 'throw') throw error;
      ctx.status = 500;
      if (kind === 'json') ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
      else {
        ctx.type = 'html';
        ctx.body = '<p>server_error</p>';
      }
      markIfUnavailable(ctx, error);
    });
    return app.callback();
  }

  it('turns a 500 caused by the database into 503 + Retry-After, JSON staying JSON', async () => {
    const res = await request(providerLike(pgError('57P01', 'terminating connection'), 'json'))
      .post('/token')
      .set('accept', 'application/json');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], String(RETRY_AFTER_SECONDS));
    assert.match(res.headers['content-type']!, /json/);
    assert.equal(res.body.error, 'temporarily_unavailable');
  });

  it('renders our page for a browser', async () => {
    const res = await request(
      providerLike(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'html'),
    )
      .get('/auth')
      .set('accept', 'text/html');
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], String(RETRY_AFTER_SECONDS));
    assert.match(res.headers['content-type']!, /html/);
    assert.match(res.text, /Vui lòng thử lại sau/);
  });

  it('answers 503 for an unavailable-database error that escapes the provider (a session save)', async () => {
    const res = await request(providerLike(new Error('Connection terminated unexpectedly'), 'throw'))
      .get('/auth')
      .set('accept', 'application/json');
    assert.equal(res.status, 503);
    assert.equal(res.body.error, 'temporarily_unavailable');
  });

  it('keeps a genuine server error a 500', async () => {
    const marked = await request(providerLike(new TypeError('bug'), 'json')).post('/token');
    assert.equal(marked.status, 500);
    assert.equal(marked.headers['retry-after'], undefined);
    const thrown = await request(providerLike(new TypeError('bug'), 'throw')).get('/auth');
    assert.equal(thrown.status, 500);
  });
});

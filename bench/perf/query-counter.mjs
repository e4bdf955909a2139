// Preloaded into the server under test by the benchmark (node --import): counts the SQL statements knex sends
// (every query, BEGIN and COMMIT included, on PostgreSQL and PGlite alike), by statement text, and prints the tally
// as one JSON line on SIGUSR2, so a row can report statements per request and which ones. Plain JavaScript so it
// also preloads into the compiled server (no tsx).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const Client = require('knex/lib/client.js');
const query = Client.prototype.query;
const tally = new Map();

Client.prototype.query = function countedQuery(connection, queryParam, ...rest) {
  const sql = typeof queryParam === 'string' ? queryParam : (queryParam?.sql ?? '?');
  tally.set(sql, (tally.get(sql) ?? 0) + 1);
  return query.call(this, connection, queryParam, ...rest);
};

process.on('SIGUSR2', () => process.stdout.write(`bench-statements ${JSON.stringify(Object.fromEntries(tally))}\n`));

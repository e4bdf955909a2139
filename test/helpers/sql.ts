// Which SQL statements a piece of work sent, through knex's `query` event: for tests that prove batching.
import type { Db } from '../../src/db/database.js';

/** Runs `work` and returns its result with the statements sent meanwhile whose SQL starts with `verb`. */
export async function statementsDuring<T>(
  db: Db,
  verb: 'select' | 'insert',
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const starts = new RegExp(`^${verb}`, 'i');
  const listener = (q: { sql: string }) => void (starts.test(q.sql) && statements.push(q.sql));
  db.on('query', listener);
  try {
    return { result: await work(), statements };
  } finally {
    db.off('query', listener);
  }
}

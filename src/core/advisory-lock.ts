// Transaction-scoped advisory locks: the one helper every "count, then decide" step uses to serialise requests on the
// same name across nodes (PostgreSQL and PGlite alike). The lock is released when the transaction ends.
import type { Knex } from 'knex';

/** Waits for, then holds until `trx` ends, the advisory lock named `name` (hashed to a 32-bit key by hashtext). */
export async function lockForTransaction(trx: Knex.Transaction, name: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [name]);
}

// A `pg`-style client over knex, so rate-limiter-flexible's RateLimiterPostgres runs on PostgreSQL and PGlite alike.
import type { Db } from './database.js';

export function knexQueryClient(db: Db) {
  return {
    async query({ text, values = [] }: { text: string; values?: unknown[] }) {
      const bindings: Record<string, unknown> = {};
      values.forEach((v, i) => (bindings[`p${i + 1}`] = v));
      const sql = text.replace(/\$(\d+)/g, (_m, n: string) => `:p${n}`);
      const result = (await db.raw(sql, bindings)) as { rows?: unknown[]; rowCount?: number };
      const rows = result.rows ?? [];
      return { rows, rowCount: Math.max(rows.length, result.rowCount ?? 0) };
    },
  };
}

#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (TypeScript through tsx). Node 20 has no --test globs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const only = process.argv.slice(2);
// Longest first (bin/test-durations.json, measured): with files running in parallel, a long file that starts last
// holds the whole run open while the other slots sit idle. A file not listed there counts as long.
const durations = JSON.parse(fs.readFileSync(new URL('./test-durations.json', import.meta.url), 'utf8')).seconds;
const files = only.length
  ? only
  : find('test')
      .map((f) => f.split(path.sep).join('/'))
      .sort((a, b) => (durations[b] ?? 1e9) - (durations[a] ?? 1e9) || a.localeCompare(b));
console.log(
  `running ${files.length} test files${process.env.TEST_DATABASE_URL ? ' on PostgreSQL (TEST_DATABASE_URL)' : ' on PGlite'}`,
);
// Test files run in parallel (TEST_CONCURRENCY, default 3): most of a file's time is spent waiting on its server and
// database, so even two cores keep three files busy. Each file has its own database and ports.
const concurrency = process.env.TEST_CONCURRENCY ?? '3';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);

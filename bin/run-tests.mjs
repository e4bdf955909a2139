#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (TypeScript through tsx), without --test globs (which
// Node 20 lacks, and this script may be started by a system Node 20).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The Node.js the test files run on: this one when BHXH ID supports it (at least MINIMUM_NODE, as
// src/core/node-runtime.ts says; test/unit/node-runtime.test.ts checks that they agree), otherwise the project's own
// (the `node` devDependency, which `npm test` has first on PATH anyway), so that `node bin/run-tests.mjs …` on a
// system Node 20 runs the tests as `npm test` does.
const MINIMUM_NODE = '22.11.0';
function supported(version) {
  const [major, minor] = version.split('.').map(Number);
  const [minMajor, minMinor] = MINIMUM_NODE.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}
const projectNode = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/node');
let node = process.execPath;
let nodeVersion = process.versions.node;
if (!supported(nodeVersion)) {
  if (!fs.existsSync(projectNode)) {
    console.error(
      `run-tests: BHXH ID needs Node.js ${MINIMUM_NODE} or later and this is ${nodeVersion}; run npm install (it brings the project's own Node 24) or install Node.js 24`,
    );
    process.exit(1);
  }
  node = projectNode;
  nodeVersion = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
}

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
  `running ${files.length} test files${process.env.TEST_DATABASE_URL ? ' on PostgreSQL (TEST_DATABASE_URL)' : ' on PGlite'}, Node.js ${nodeVersion}${node === process.execPath ? '' : ` (${path.relative(process.cwd(), projectNode)})`}`,
);
// Test files run in parallel (TEST_CONCURRENCY, default 3): most of a file's time is spent waiting on its server and
// database, so even two cores keep three files busy. Each file has its own database and ports.
const concurrency = process.env.TEST_CONCURRENCY ?? '3';
const result = spawnSync(
  node,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);

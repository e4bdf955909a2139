#!/usr/bin/env node
// The dependency rules of `npm run lint` (docs/architecture.md, "Dependency rules"), from one dependency-cruiser run:
// its module-level rules (.dependency-cruiser.cjs), then the folder-level rule it cannot express: the top-level units
// of src/ (a folder, or a file at the root of src/) and views/ must form no import cycle.
// Folder edges inside cycles that existed when the rule came in are listed in bin/known-folder-cycles.json: they are
// reported and may only be removed. A dependency that closes a cycle with an edge not on that list fails the check.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cruiser = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
// One dependency-cruiser run gives both: its own rule violations (it exits non-zero on an error, still printing the
// JSON) and the module graph this script folds into folders.
let out;
try {
  out = execFileSync(
    process.execPath,
    [cruiser, 'src', 'views', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
} catch (err) {
  if (!err.stdout?.length) throw err;
  out = err.stdout;
}
const { modules, summary } = JSON.parse(out.toString());
for (const v of summary.violations) {
  const via = v.cycle ? v.cycle.map((c) => c.name ?? c).join(' → ') : v.to;
  console.error(`${v.rule.severity} ${v.rule.name}: ${v.from} → ${via}`);
}
console.log(`dependency-cruiser: ${summary.error} error(s), ${summary.totalCruised} modules`);
if (summary.error > 0) process.exit(1);

const unitOf = (file) => {
  const m = /^src\/([^/]+)\/|^src\/([^/]+)\.ts$|^(views)\//.exec(file);
  if (!m) return undefined;
  return m[1] ?? (m[2] ? `${m[2]}.ts` : m[3]);
};
const edges = new Map();
const example = new Map();
for (const mod of modules) {
  const from = unitOf(mod.source);
  if (!from) continue;
  if (!edges.has(from)) edges.set(from, new Set());
  for (const dep of mod.dependencies) {
    const to = unitOf(dep.resolved);
    if (!to || to === from) continue;
    // src/dev/ sits on top of everything: the composition roots (src/app/server.ts, src/main.ts, src/cli/main.ts; the
    // nothing-imports-dev rule in .dependency-cruiser.cjs) load it at run time by dynamic import, when configuration
    // allows, and a build without it still loads. Such a late-bound edge into dev is not a layering edge, nor is a
    // type-only import (erased at compile time: the production build, which leaves src/dev out, still loads); a static
    // value import is.
    if (to === 'dev' && (dep.dynamic || dep.dependencyTypes?.includes('type-only'))) continue;
    edges.get(from).add(to);
    if (!example.has(`${from}>${to}`)) example.set(`${from}>${to}`, `${mod.source} → ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of more than one unit is a cycle between folders.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function visit(v) {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component.sort());
  }
}
for (const v of edges.keys()) if (!index.has(v)) visit(v);

const cycleEdges = [];
for (const c of components)
  for (const a of c) for (const b of edges.get(a) ?? []) if (c.includes(b)) cycleEdges.push(`${a}>${b}`);
cycleEdges.sort();

const knownFile = path.join(root, 'bin/known-folder-cycles.json');
if (process.argv.includes('--write-baseline')) {
  const comment =
    'Folder edges inside import cycles when the rule came in (bin/check-layers.mjs). Only ever remove lines.';
  fs.writeFileSync(knownFile, `${JSON.stringify({ comment, edges: cycleEdges }, null, 2)}\n`);
  console.log(`wrote ${cycleEdges.length} known edges`);
  process.exit(0);
}
const known = new Set(fs.existsSync(knownFile) ? JSON.parse(fs.readFileSync(knownFile, 'utf8')).edges : []);
const fresh = cycleEdges.filter((e) => !known.has(e));
const inCycles = new Set(components.flat());
console.log(
  `layers: ${components.length} folder cycle(s) over ${inCycles.size} of ${edges.size} units, ` +
    `${cycleEdges.length - fresh.length} known edge(s) (bin/known-folder-cycles.json)`,
);
const gone = [...known].filter((e) => !cycleEdges.includes(e));
if (gone.length) console.log(`gone, remove from bin/known-folder-cycles.json: ${gone.join(', ')}`);
if (fresh.length) {
  console.error('New dependencies that close a cycle between folders (docs/architecture.md, "Layers"):');
  for (const e of fresh) console.error(`  ${e.replace('>', ' → ')}   e.g. ${example.get(e)}`);
  process.exit(1);
}

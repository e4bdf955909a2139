// Summarises a V8 CPU profile (.cpuprofile, from `npm run bench -- --profile` or `node --cpu-prof`): the functions
// with the most self time, and the share of time by package (our src/, oidc-provider, koa, pglite, …), so
// docs/performance.md can name what limits a row.
//
//   npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 25] [--from S] [--to S] [--match TEXT]
//
// --from/--to keep only the samples between those seconds after the profile started (leave out start-up);
// --match lists the callers' stacks (inclusive time) of functions whose name or file contains TEXT.
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) per node id, from the samples taken between `from` and `to` seconds after the start. */
function selfTimes(profile: Profile, from: number, to: number): Map<number, number> {
  const self = new Map<number, number>();
  let t = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t >= from * 1e6 && t <= to * 1e6) self.set(id, (self.get(id) ?? 0) + dt);
  });
  return self;
}

/** Inclusive time per function key: each node's self time counted once for every distinct function on its stack. */
function inclusiveTimes(
  profile: Profile,
  self: Map<number, number>,
  key: (n: ProfileNode) => string,
): Map<string, number> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const out = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let n = byId.get(id); n; n = parent.get(n.id)) seen.add(key(n));
    for (const k of seen) out.set(k, (out.get(k) ?? 0) + us);
  }
  return out;
}

/** Where a frame's code lives: a package name, "src/…" for ours, or a V8 category. */
export function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const ours = /\/(src|views|bench)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return url.replace(/^file:\/\//, '');
}

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'}  ${owner(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
}

function main() {
  const { values, positionals } = parseArgs({
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string', default: '0' },
      to: { type: 'string', default: '1e9' },
      match: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (!positionals[0]) throw new Error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--top N]');
  const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8')) as Profile;
  const self = selfTimes(profile, Number(values.from), Number(values.to));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const where = owner(node.callFrame.url, node.callFrame.functionName);
    const key = frameKey(node);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOwner.set(where, (byOwner.get(where) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const top = Number(values.top);
  console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled\n\nself time by owner:`);
  for (const [k, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${k}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
  const inclusive = inclusiveTimes(profile, self, frameKey);
  const generic =
    /^\((root|program|idle|garbage collector)\)|^(runMicrotasks|processTicksAndRejections|emit|dispatch|next)\b/;
  console.log(`\ntop ${top} functions by total (inclusive) time:`);
  for (const [k, us] of [...inclusive]
    .filter(([k]) => !generic.test(k) && (!values.match || k.includes(values.match)))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${pct(us)}  ${k}`);
  }
}

main();

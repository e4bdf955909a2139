// The floor of password sign-ins: how many argon2id verifications per second this machine does with the production
// parameters (m=19456 KiB, t=2, p=1), one hash verified again and again with enough in flight to keep every core
// busy (the argon2 package runs on the libuv threadpool). A sign-in does exactly one such verification, so
// sign-ins/s can at best approach this number.
//
// Run by bench/run.ts as its own process: `node --import tsx bench/argon2-floor.ts SECONDS CONCURRENCY`; prints
// "timing" when the timed part starts, then one JSON line {verifications, seconds, perSecond, p50, p99, cpuMs} (latencies in ms; cpuMs: this process, all
// threads, during the timed part).
import argon2 from 'argon2';
import { percentile } from './perf/stats.js';

export const PRODUCTION_ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

async function main() {
  const seconds = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 4);
  const password = 'the floor of every sign-in';
  const hash = await argon2.hash(password, PRODUCTION_ARGON2);
  // Warm up the threadpool and the allocator before timing.
  await Promise.all(Array.from({ length: concurrency }, () => argon2.verify(hash, password)));

  const latencies: number[] = [];
  console.log('timing'); // the parent measures the machine from here
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      verifications: latencies.length,
      seconds: elapsed,
      perSecond: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuMs: (cpu.user + cpu.system) / 1000,
    }),
  );
}

main().catch((err) => {
  console.error(`argon2 floor: ${(err as Error).message}`);
  process.exit(1);
});

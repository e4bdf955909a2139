// Waiting for something another node or process does in its own time (a notification, a poll): checks every
// `everyMs` and fails the test with `what` after `timeoutMs`. For events outside the test's control only; time the
// test controls goes through an injected clock.
import assert from 'node:assert/strict';

export async function until(
  what: string,
  condition: () => Promise<boolean>,
  { timeoutMs = 5000, everyMs = 25 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Settles like `promise`, or rejects after `ms` (a bound on waiting, not a sleep: the timer is cleared when it settles). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

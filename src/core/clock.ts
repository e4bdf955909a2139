// Time, injected: every service takes a Clock so tests move time instead of waiting for it.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

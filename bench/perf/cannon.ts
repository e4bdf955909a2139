// One autocannon run against a URL, reduced to the figures of a row: successful requests per second and latency
// percentiles. autocannon runs in the benchmark's own process (the server is a child process).
import autocannon from 'autocannon';

export interface CannonOptions {
  url: string;
  seconds: number;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Per-request setup (autocannon `requests`), for bodies or headers that change on every request. */
  requests?: autocannon.Request[];
}

export interface CannonResult {
  /** Responses received (any status). */
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx responses per second. */
  perSecond: number;
  /** Latency percentiles in ms (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p99: number;
}

export async function cannon(opts: CannonOptions): Promise<CannonResult> {
  const result = await autocannon({
    url: opts.url,
    duration: opts.seconds,
    connections: opts.connections,
    pipelining: 1,
    timeout: 10,
    method: opts.method ?? 'GET',
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.requests ? { requests: opts.requests } : {}),
  });
  const ok = result['2xx'];
  return {
    responses: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    perSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

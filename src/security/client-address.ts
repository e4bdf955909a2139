// Invariant: a client address is the one the outermost trusted proxy saw (TRUSTED_PROXY_HOPS, counted from the right
// of X-Forwarded-For; 0 = the socket), never an entry the client wrote; and budgets count IPv6 per /64. Both Koa apps
// (ours, src/http/app.ts, and oidc-provider's, src/oidc/provider.ts) are set up here, and every throttle keys
// addresses through addressBucket() (src/security/throttle.ts).
import net from 'node:net';

/** What trusting `hops` proxies means for a Koa app (oidc-provider's Provider is one too): ctx.ip and ctx.ips. */
export function trustProxyHops(app: { proxy: boolean; maxIpsCount: number }, hops: number): void {
  // NOTE: Koa's ctx.ip is the leftmost of the last `maxIpsCount` X-Forwarded-For entries: with maxIpsCount = hops it
  // is the entry the outermost trusted proxy appended, whatever the client put to its left.
  app.proxy = hops > 0;
  app.maxIpsCount = hops;
}

/**
 * The client address from an X-Forwarded-For value and the socket's address, trusting `hops` proxies: the same
 * answer as Koa's ctx.ip after trustProxyHops(app, hops), for code that runs before Koa (provider-documents.ts).
 */
export function clientAddressFrom(
  forwardedFor: string | string[] | undefined,
  socketAddress: string | undefined,
  hops: number,
): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const entries =
    hops > 0 && header
      ? header
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
      : [];
  return entries.slice(-hops)[0] ?? socketAddress ?? '';
}

/**
 * The key a per-address budget is counted under: an IPv4 address as itself (also when written IPv4-mapped,
 * `::ffff:a.b.c.d`); an IPv6 address as its /64.
 * NOTE: one IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would give them 2^64 budgets.
 */
export function addressBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split('%')[0]!; // drop a zone id (fe80::1%eth0)
  if (!net.isIPv6(address)) return ip;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, "::" expanded, each in lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return full.map((g) => parseInt(g, 16).toString(16));
}

/** How an address is shown to the member it belongs to: its network (IPv4 /24, IPv6 /48), src/core/coarse-network.ts. */
export { coarseNetwork } from '../core/coarse-network.js';

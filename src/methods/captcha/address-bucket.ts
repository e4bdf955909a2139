// The key a per-address budget is counted under.
import net from 'node:net';

/**
 * An IPv4 address as itself (also when written IPv4-mapped, `::ffff:a.b.c.d`); an IPv6 address as its /64.
 * NOTE: one IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would give them 2^64 budgets.
 */
export function addressBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split('%')[0]!; // drop a zone id (fe80::1%eth0)
  if (!net.isIPv6(address)) return ip;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

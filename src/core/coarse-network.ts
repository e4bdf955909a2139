// How a client address is shown to the member it belongs to: as the network it came from, not the address itself —
// IPv4 per /24 (`203.0.113.0/24`), IPv6 per /48 (`2001:db8:12::/48`), an IPv4-mapped IPv6 address as IPv4. Enough to
// tell "my home network" from "somewhere else", without a geolocation service and without the exact address.
import net from 'node:net';

/** The /24 or /48 an address belongs to, or undefined for anything that is not an IP address. */
export function coarseNetwork(address: string | null | undefined): string | undefined {
  if (!address) return undefined;
  const ip = address.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return coarseNetwork(mapped[1]);
  if (net.isIPv4(ip)) {
    const [a, b, c] = ip.split('.');
    return `${Number(a)}.${Number(b)}.${Number(c)}.0/24`;
  }
  if (net.isIPv6(ip)) {
    const groups = expandIpv6(ip);
    if (!groups) return undefined;
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
      return coarseNetwork(`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`);
    const head = groups.slice(0, 3);
    // Trailing zero groups of the prefix fold into the "::".
    while (head.length > 0 && head[head.length - 1] === 0) head.pop();
    return `${head.map((g) => g.toString(16)).join(':')}::/48`;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included). */
function expandIpv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [, a, b, c, d] = v4.map(Number) as [number, number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const head = parse(left);
  const tail = right === undefined ? [] : parse(right);
  const missing = 8 - head.length - tail.length;
  if (right === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...Array<number>(Math.max(0, missing)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

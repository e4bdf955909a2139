// The relying party's loopback redirect URI for browser tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The relying party's loopback redirect URI: answers 200 "ok" and hands each request URL to whoever waits. */
export async function startCallbackServer() {
  const received: string[] = [];
  const waiting: Array<(url: string) => void> = [];
  let delivered = 0;
  const deliver = () => {
    while (waiting.length && delivered < received.length) waiting.shift()!(received[delivered++]!);
  };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/callback')) {
      received.push(req.url);
      deliver();
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    received,
    /** The next request to /callback not yet handed out (already arrived or still to come). */
    next: () =>
      new Promise<string>((resolve) => {
        waiting.push((url) => resolve(`http://127.0.0.1:${port}${url}`));
        deliver();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

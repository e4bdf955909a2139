// A minimal cookie-keeping user agent for the hosted pages: follows redirects on our origin, stops at any other
// (the relying party's redirect_uri), and reads forms out of the HTML.
export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export class Browser {
  /** name → value and the path it was set for (sent only to paths under it, as a browser does). */
  private cookies = new Map<string, { value: string; path: string }>();
  /** A redirect to a URL this returns true for is not followed (a test can look at it, or tamper with it). */
  stopAt: (url: URL) => boolean = () => false;
  /** Extra headers for every request (a test playing a client behind a proxy sets X-Forwarded-For here). */
  headers: () => Record<string, string> = () => ({});

  /** `alsoFollow`: other origins whose redirects are followed too (an upstream provider in federation tests). */
  constructor(
    private readonly origin: string,
    private readonly alsoFollow: string[] = [],
  ) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = /;\s*path=([^;]+)/i.exec(line)?.[1]?.trim() ?? '/';
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  /** The Cookie header for a request to `url` (every cookie when no URL is given). */
  cookieHeader(url?: string): string {
    const pathname = url ? new URL(url, this.origin).pathname : undefined;
    return [...this.cookies]
      .filter(
        ([, c]) =>
          !pathname || pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  /** Sends one request and follows same-origin redirects; returns the final page or the foreign redirect. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = new URL(url, this.origin).href;
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const res = await fetch(current, {
        method,
        redirect: 'manual',
        headers: {
          ...this.headers(),
          cookie: this.cookieHeader(current),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body ? { body } : {}),
      });
      this.remember(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current);
        const followed =
          next.origin === new URL(this.origin).origin || this.alsoFollow.some((o) => new URL(o).origin === next.origin);
        if (!followed || this.stopAt(next)) {
          return { status: res.status, url: next.href, html: '', headers: res.headers };
        }
        current = next.href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: current, html: await res.text(), headers: res.headers };
    }
    throw new Error('too many redirects');
  }

  get(url: string) {
    return this.request(url);
  }

  /** Submits the form whose action matches `actionPart` (or the first form) with the given fields + hidden ones. */
  async submit(page: Page, fields: Record<string, string>, actionPart?: string): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = actionPart ? forms.find((f) => f[1]!.includes(actionPart)) : forms[0];
    if (!form)
      throw new Error(
        `no form${actionPart ? ` with action containing ${actionPart}` : ''} on ${page.url}:\n${page.html.slice(0, 500)}`,
      );
    const hidden: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = input[0].match(/name="([^"]+)"/)?.[1];
      const value = input[0].match(/value="([^"]*)"/)?.[1] ?? '';
      if (name) hidden[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    }
    return this.request(new URL(form[1]!.replace(/&amp;/g, '&'), page.url).href, {
      method: 'POST',
      form: { ...hidden, ...fields },
    });
  }
}

// Links from our pages to our own pages. Built from the request's path only, so they must never leave the site:
// `GET /.//evil.example/` has the path `//evil.example/`, which a browser reads as another host. And the one link
// that leaves it on purpose, back to a relying party, built from what the relying party registered (appLink).

/**
 * A same-origin, path-absolute link: one leading slash, never `//` or `/\` (scheme-relative), never a scheme. The
 * path is taken as the URL parser normalised it (percent-encoded); runs of leading slashes or backslashes collapse
 * to one.
 */
export function selfLink(pathname: string, search = ''): string {
  const path = `/${pathname.replace(/^[/\\]+/, '')}`;
  const query = search && !search.startsWith('?') ? `?${search}` : search;
  const link = `${path}${query}`;
  // NOTE: belt and braces: whatever the input, the result resolves on our own origin, or it is the home page.
  const resolved = new URL(link, 'http://self.invalid');
  return resolved.origin === 'http://self.invalid' && link.startsWith('/') && !/^\/[/\\]/.test(link) ? link : '/';
}

/** The relying party a page offers the way back to: its name, and the page to link to when it has one. */
export interface AppLink {
  name: string;
  /** Absent for a native app without a registered web page: the member closes the page to return to the app. */
  href?: string;
}

/** What the rule reads of a registered client (oidc-provider's Client has these members). */
export interface RegisteredClient {
  clientId: string;
  clientName?: string | undefined;
  clientUri?: string | undefined;
  redirectUris?: readonly string[] | undefined;
  applicationType?: string | undefined;
}

const isWebUrl = (value: string): URL | undefined => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The one link our pages may make off-site: back to the relying party. NOTE: only from what the client registered —
 * its `client_uri`, else (a web client) the origin of a registered redirect URI, the one the request used when it
 * is registered; never a URL a request supplied unchecked. A native app's redirect URIs (custom schemes, loopback
 * ports) are no page to open, so without a `client_uri` it gets no link.
 */
export function appLink(client: RegisteredClient, usedRedirectUri?: unknown): AppLink {
  const name = client.clientName || client.clientId;
  const home = client.clientUri ? isWebUrl(client.clientUri) : undefined;
  if (home) return { name, href: home.href };
  if (client.applicationType === 'native') return { name };
  const registered = client.redirectUris ?? [];
  const chosen =
    typeof usedRedirectUri === 'string' && registered.includes(usedRedirectUri)
      ? usedRedirectUri
      : registered.find((uri) => isWebUrl(uri));
  const url = chosen ? isWebUrl(chosen) : undefined;
  return url ? { name, href: `${url.origin}/` } : { name };
}

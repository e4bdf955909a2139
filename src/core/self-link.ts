// Links from our pages to our own pages. Built from the request's path only, so they must never leave the site:
// `GET /.//evil.example/` has the path `//evil.example/`, which a browser reads as another host.

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

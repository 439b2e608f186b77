/** What the client reads off a ws/wss (or, for proxies, http/https) URL to reach its host. */

export function isSecure(url: URL): boolean {
  return url.protocol === 'wss:' || url.protocol === 'https:';
}

/** The port of a ws/wss/http/https URL, its scheme's default when it has none. */
export function portOf(url: URL): number {
  return Number(url.port) || (isSecure(url) ? 443 : 80);
}

/** A host name as sockets take it: an IPv6 literal without its brackets. */
export function bare(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

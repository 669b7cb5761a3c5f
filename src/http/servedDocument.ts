import { hostnameOf } from './serverNames.ts';

/**
 * An OpenAPI document as served to one request: its `servers` name the origin the request came
 * to, then the public URL. The file says `http://localhost:8080`, which is right for one port and
 * one name only; Swagger UI's "Try it out" calls the first server, and a page opened at
 * 127.0.0.1:3000 calling localhost:8080 is a cross-origin call the API does not allow (so the
 * browser says "Failed to fetch"). Naming the request's own origin keeps those calls same-origin.
 *
 * The Host header only shapes this document, never what the server does or whom it answers.
 */
export function servedDocument(
  document: unknown,
  request: { protocol: string; hostHeader: string | undefined },
  /** The URL handed out to partners (`--public-url`, or the listen address by default). */
  publicUrl: string,
): unknown {
  const published = new URL(publicUrl);
  const servers: Array<{ url: string; description: string }> = [];
  const requestHost = request.hostHeader === undefined ? undefined : hostnameOf(request.hostHeader);
  if (requestHost !== undefined && request.hostHeader !== undefined) {
    // Reached under the public URL's own name (e.g. behind a TLS proxy that keeps Host): the public
    // URL says the scheme and any path prefix better than this plain-HTTP request can.
    const origin =
      request.hostHeader.toLowerCase() === published.host
        ? publicUrl
        : `${request.protocol}://${request.hostHeader.toLowerCase()}`;
    servers.push({ url: origin, description: 'This server, as this document was requested' });
  }
  if (!servers.some((s) => s.url === publicUrl)) {
    servers.push({ url: publicUrl, description: "This server's public URL (--public-url)" });
  }
  return { ...(document as object), servers };
}

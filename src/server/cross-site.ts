/**
 * Cross-site request forgery: the console's session cookie is SameSite=Strict, so a browser does
 * not send it with another site's request; as a second wall, every state-changing console request
 * that says where it comes from (Origin, or Sec-Fetch-Site, which browsers add to every request)
 * must come from the console's own origin.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/** Whether the request may change state as far as its origin goes; null when it may. */
export function crossSiteReason(
  request: FastifyRequest,
  publicUrl: string | undefined,
): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  // What a plain HTML form can send without asking (no preflight) is never a console request.
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (FORM_TYPES.has(type)) return `Content-Type: ${type}`;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`;
  const origin = request.headers.origin;
  if (origin === undefined) return null;
  // By host: behind a TLS proxy without TRUST_PROXY the server sees http while the page is https.
  const own = new Set<string | null>([request.host]);
  if (publicUrl) own.add(new URL(publicUrl).host);
  return own.has(hostOf(origin)) ? null : `Origin: ${origin.slice(0, 100)}`;
}

/** The onRequest check of console routes: 403 `cross_site_request` for another site's request. */
export function refuseCrossSite(request: FastifyRequest, publicUrl: string | undefined): void {
  const reason = crossSiteReason(request, publicUrl);
  if (reason)
    throw new HttpError(
      403,
      'cross_site_request',
      `The console accepts changes only from its own pages (${reason}).`,
    );
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

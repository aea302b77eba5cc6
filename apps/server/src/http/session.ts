/**
 * The session cookie and the per-request context (Lucia's cookie rules, lucia-auth.com "Sessions"):
 * HttpOnly, SameSite=Lax, Path=/, an explicit expiry equal to the session's; Secure whenever the
 * request arrived over HTTPS or NODE_ENV=production, and then named with the `__Host-` prefix (which
 * browsers only accept with Secure, Path=/ and no Domain, so a sibling subdomain cannot set it).
 */
import type { Context, Services, TenantEventPublisher } from "@fleetcore/api";
import { createContextInner } from "@fleetcore/api";
import { type SessionContext, validateSessionToken } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { FastifyReply, FastifyRequest } from "fastify";

export const SESSION_COOKIE = "fc_session";
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Whether cookies for this request must be Secure (and `__Host-` prefixed). */
export function isSecureRequest(req: FastifyRequest, production: boolean): boolean {
  return production || req.protocol === "https";
}

/** The raw session token from either cookie name, or null. */
export function readSessionToken(cookies: Record<string, string | undefined>): string | null {
  return cookies[SECURE_SESSION_COOKIE] ?? cookies[SESSION_COOKIE] ?? null;
}

/** Sets/clears the session cookie on `reply`. */
export function cookieJar(req: FastifyRequest, reply: FastifyReply, production: boolean) {
  const secure = isSecureRequest(req, production);
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  const base = { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
  return {
    set(token: string, expiresAt: Date) {
      reply.setCookie(name, token, { ...base, expires: expiresAt });
    },
    clear() {
      reply.clearCookie(name, base);
    },
  };
}

/** Client IP and user agent for sessions and audit rows. */
export function clientMeta(req: FastifyRequest) {
  const ua = req.headers["user-agent"];
  return { ipAddress: req.ip ?? null, userAgent: typeof ua === "string" ? ua : null };
}

/**
 * Validates the request's session cookie (renewing it when Lucia's half-life rule extended the
 * session; clearing it when the session is gone) and builds the tRPC context.
 */
export async function createRequestContext(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { prisma: PrismaClient; publish: TenantEventPublisher; services: Services; production: boolean },
): Promise<Context> {
  const cookies = cookieJar(req, reply, deps.production);
  const token = readSessionToken(req.cookies);
  let session: SessionContext | null = null;
  if (token) {
    const validated = await validateSessionToken(deps.prisma, token);
    if (validated) {
      session = validated.session;
      if (validated.renewed) cookies.set(token, validated.session.expiresAt);
    } else {
      cookies.clear();
    }
  }
  return createContextInner({
    prisma: deps.prisma,
    publish: deps.publish,
    services: deps.services,
    meta: clientMeta(req),
    cookies,
    session,
  });
}

/**
 * Cross-site request forgery defence for cookie-authenticated state changes (OWASP CSRF cheat sheet,
 * "verifying origin with standard headers"): a non-GET/HEAD/OPTIONS request whose Origin header names
 * another origin is refused; one without Origin is refused when it carries a session cookie.
 * Allowed: the request's own origin (scheme + Host) and `extraOrigins` (PUBLIC_URL's).
 * @returns null when allowed, else the reason
 */
export function checkOrigin(req: FastifyRequest, extraOrigins: string[]): string | null {
  if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return null;
  const origin = req.headers.origin;
  if (!origin) return readSessionToken(req.cookies) ? "missing Origin header on a cookie-authenticated request" : null;
  const own = `${req.protocol}://${req.headers.host ?? ""}`;
  if (origin === own || extraOrigins.includes(origin)) return null;
  return `cross-origin request from ${origin} refused`;
}

/**
 * Socket.IO authentication and tenant rooms. A connection authenticates at handshake from the same
 * session cookie as the HTTP API (people, and wall displays that opened /display/<token>), or from
 * `auth.displayToken` (a raw display token, for screens without cookies). It is joined to its
 * active tenant's room at once; `tenant:join` to other rooms is checked like tenantProcedure is.
 * Sockets whose session or display token has ended (logout, removal, revocation, expiry) are
 * disconnected by a periodic sweep ({@link sweepEndedSockets}).
 */
import fastifyCookie from "@fastify/cookie";
import {
  findProviderEmployee,
  findUsableDisplayToken,
  isTenantLocked,
  resolveTenantAccess,
  validateSessionToken,
} from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import { type SocketAuth, SUPPORT_ROOM, tenantRoom, userRoom } from "@fleetcore/realtime";
import type { Socket } from "socket.io";
import { z } from "zod";
import type { FleetcoreSocketServer } from "./app";
import { readSessionToken } from "./http/session";

type FleetcoreSocket = Parameters<Parameters<FleetcoreSocketServer["on"]>[1]>[0];

/** Handshake middleware: sets socket.data or refuses with Error("unauthorized"). */
export function authenticateSocket(db: PrismaClient) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      const auth = (socket.handshake.auth ?? {}) as SocketAuth;
      if (typeof auth.displayToken === "string") {
        const display = await withScope(db, { kind: "system" }, (tx) =>
          findUsableDisplayToken(tx, auth.displayToken as string),
        );
        if (!display) return next(new Error("unauthorized"));
        socket.data = {
          kind: "display",
          sessionId: null,
          displayTokenId: display.id,
          userId: null,
          activeTenantId: display.tenantId,
          tenantIds: new Set(),
        };
        return next();
      }
      const header = socket.request.headers.cookie;
      const token = header ? readSessionToken(fastifyCookie.parse(header)) : null;
      const validated = token ? await validateSessionToken(db, token) : null;
      if (!validated) return next(new Error("unauthorized"));
      const { session } = validated;
      socket.data = {
        kind: session.display ? "display" : "user",
        sessionId: session.id,
        displayTokenId: session.display?.id ?? null,
        userId: session.userId,
        activeTenantId: session.activeTenantId,
        tenantIds: new Set(),
      };
      return next();
    } catch (err) {
      return next(err instanceof Error ? err : new Error(String(err)));
    }
  };
}

/** May this socket receive `tenantId`'s events? Its active tenant, or (people) a tenant they can access. */
export async function mayJoin(
  db: PrismaClient,
  socket: Pick<FleetcoreSocket, "data">,
  tenantId: string,
): Promise<boolean> {
  const { kind, userId, activeTenantId } = socket.data;
  if (kind === "display") return tenantId === activeTenantId;
  if (!userId) return false;
  const access = await withScope(db, { kind: "tenant", tenantId, userId }, (tx) =>
    resolveTenantAccess(tx, userId, tenantId),
  );
  return access !== null && (access.access === "provider" || !isTenantLocked(access.tenantStatus));
}

/**
 * Joins each new socket to its active tenant, its user's room (notifications) and, for provider
 * staff, the support room; handles tenant:join / tenant:leave.
 */
export function registerSocketHandlers(io: FleetcoreSocketServer, db: PrismaClient): void {
  io.on("connection", async (socket) => {
    // Listeners first: anything awaited before them would drop the client's first events.
    socket.on("tenant:join", async (tenantId, ack) => {
      if (typeof ack !== "function") return;
      if (!z.uuid().safeParse(tenantId).success) return ack({ ok: false, error: "tenantId must be a UUID" });
      const allowed = await mayJoin(db, socket, tenantId).catch(() => false);
      if (!allowed) return ack({ ok: false, error: "tenant not found" });
      await socket.join(tenantRoom(tenantId));
      socket.data.tenantIds.add(tenantId);
      ack({ ok: true });
    });
    socket.on("tenant:leave", async (tenantId) => {
      if (typeof tenantId !== "string") return;
      await socket.leave(tenantRoom(tenantId));
      socket.data.tenantIds.delete(tenantId);
    });
    const { userId, kind } = socket.data;
    if (kind === "user" && userId) {
      await socket.join(userRoom(userId));
      const employee = await withScope(db, { kind: "user", userId }, (tx) => findProviderEmployee(tx, userId)).catch(
        () => null,
      );
      if (employee) await socket.join(SUPPORT_ROOM);
    }
    const active = socket.data.activeTenantId;
    if (active && (await mayJoin(db, socket, active).catch(() => false))) {
      await socket.join(tenantRoom(active));
      socket.data.tenantIds.add(active);
    }
  });
}

/**
 * Disconnects sockets whose session no longer exists or has expired, or whose display token was
 * revoked or expired: two indexed lookups per sweep, whatever the number of sockets.
 * @returns how many sockets were disconnected
 */
export async function sweepEndedSockets(io: FleetcoreSocketServer, db: PrismaClient): Promise<number> {
  // Every namespace: the default one and /live.
  const sockets = [...io._nsps.values()].flatMap((nsp) => [...nsp.sockets.values()]);
  const sessionIds = [...new Set(sockets.map((s) => s.data.sessionId).filter((id): id is string => !!id))];
  const tokenIds = [...new Set(sockets.map((s) => s.data.displayTokenId).filter((id): id is string => !!id))];
  if (sessionIds.length === 0 && tokenIds.length === 0) return 0;
  const now = new Date();
  const { liveSessions, liveTokens } = await withScope(db, { kind: "system" }, async (tx) => ({
    liveSessions: new Set(
      (
        await tx.session.findMany({ where: { id: { in: sessionIds }, expiresAt: { gt: now } }, select: { id: true } })
      ).map((s) => s.id),
    ),
    liveTokens: new Set(
      (
        await tx.displayToken.findMany({
          where: { id: { in: tokenIds }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
          select: { id: true },
        })
      ).map((t) => t.id),
    ),
  }));
  let ended = 0;
  for (const socket of sockets) {
    const { sessionId, displayTokenId } = socket.data;
    if ((sessionId && !liveSessions.has(sessionId)) || (displayTokenId && !liveTokens.has(displayTokenId))) {
      socket.disconnect(true);
      ended += 1;
    }
  }
  return ended;
}

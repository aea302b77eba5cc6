/**
 * The live operations feed: Socket.IO namespace `/live`. A socket authenticates at handshake like
 * the default namespace, joins its tenant's room, receives a `snapshot` of the tenant's latest
 * positions (tel_latest_positions, read under the tenant's RLS scope), then `positions` batches.
 * Committed fixes are coalesced per tenant on a 250 ms tick, keeping only the newest fix per device,
 * so a burst of fixes costs one message per tick per tenant, not one per fix.
 */
import type { StoredFix } from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import {
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LivePosition,
  type LiveServerToClientEvents,
  type SocketData,
  tenantRoom,
} from "@fleetcore/realtime";
import type { Namespace } from "socket.io";
import type { FleetcoreSocketServer } from "./app";
import { authenticateSocket, mayJoin } from "./realtime";

export type LiveNamespace = Namespace<
  LiveClientToServerEvents,
  LiveServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** Coalesces committed fixes per tenant and emits them on a fixed tick. */
export class LiveFanout {
  private readonly pending = new Map<string, Map<string, LivePosition>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly live: LiveNamespace,
    tickMs = 250,
  ) {
    this.timer = setInterval(() => this.flush(), tickMs);
    this.timer.unref();
  }

  /** Queues committed fixes (the writer's onCommitted hook). */
  push(fixes: StoredFix[]): void {
    for (const f of fixes) {
      let byDevice = this.pending.get(f.tenantId);
      if (!byDevice) {
        byDevice = new Map();
        this.pending.set(f.tenantId, byDevice);
      }
      const cur = byDevice.get(f.deviceId);
      if (!cur || cur.time < f.time.toISOString()) byDevice.set(f.deviceId, toLive(f));
    }
  }

  /** Emits what accumulated since the last tick. */
  flush(): void {
    for (const [tenantId, byDevice] of this.pending) {
      this.live.to(tenantRoom(tenantId)).emit("positions", [...byDevice.values()]);
    }
    this.pending.clear();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Maps a stored fix or a tel_latest_positions row to the wire shape. */
export function toLive(f: {
  deviceId: string;
  vehicleId: string | null;
  time: Date;
  receivedAt: Date;
  latitude: number;
  longitude: number;
  speedKph: number | null;
  headingDeg: number | null;
  attributes: unknown;
}): LivePosition {
  const ignition = (f.attributes as Record<string, unknown> | null)?.ignition;
  return {
    deviceId: f.deviceId,
    vehicleId: f.vehicleId,
    time: f.time.toISOString(),
    receivedAt: f.receivedAt.toISOString(),
    latitude: f.latitude,
    longitude: f.longitude,
    speedKph: f.speedKph,
    headingDeg: f.headingDeg,
    ignition: typeof ignition === "boolean" ? ignition : null,
  };
}

/** Sets up `/live`: authentication, tenant room, snapshot on connect. */
export function registerLiveNamespace(io: FleetcoreSocketServer, db: PrismaClient): LiveNamespace {
  const live = io.of(LIVE_NAMESPACE) as unknown as LiveNamespace;
  live.use(authenticateSocket(db));
  live.on("connection", async (socket) => {
    const tenantId = socket.data.activeTenantId;
    if (!tenantId) {
      socket.disconnect(true);
      return;
    }
    try {
      if (!(await mayJoin(db, socket, tenantId))) {
        socket.disconnect(true);
        return;
      }
      const rows = await withScope(db, { kind: "tenant", tenantId, userId: socket.data.userId }, (tx) =>
        tx.latestPosition.findMany({ where: { tenantId } }),
      );
      await socket.join(tenantRoom(tenantId));
      socket.emit("snapshot", rows.map(toLive));
    } catch {
      socket.disconnect(true);
    }
  });
  return live;
}

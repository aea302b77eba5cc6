/**
 * Child-process entry for the live benchmark's baseline: a bare Socket.IO 4 server (namespace
 * /live, one room per tenant, no database, no ingest) that emits `positions` messages of the same
 * shape, size and rate as Fleetcore's live fan-out: every `tickMs`, per tenant, the fixes of the
 * vehicles whose report fell in that tick. `receivedAt` carries the emit time, so a client measures
 * emit → receipt. Arguments: `<tenants> <vehiclesPerTenant> <tickMs>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { LivePosition } from "@fleetcore/realtime";
import { Server } from "socket.io";
import { failToParent, serveParent } from "./child";

try {
  const [tenants = 20, vehiclesPerTenant = 500, tickMs = 250] = process.argv.slice(2).map(Number);
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  const live = io.of("/live");
  live.on("connection", (socket) => {
    const room = String(socket.handshake.auth.room ?? "");
    void socket.join(room);
    socket.emit("snapshot", []);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const perTick = Math.round((vehiclesPerTenant * tickMs) / 1000);
  let tick = 0;
  const timer = setInterval(() => {
    const receivedAt = new Date().toISOString();
    for (let t = 0; t < tenants; t++) {
      const batch: LivePosition[] = [];
      for (let i = 0; i < perTick; i++) {
        const v = (tick * perTick + i) % vehiclesPerTenant;
        batch.push({
          deviceId: `00000000-0000-4000-8000-${String(t * 100_000 + v).padStart(12, "0")}`,
          vehicleId: `00000000-0000-4000-9000-${String(t * 100_000 + v).padStart(12, "0")}`,
          time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
          receivedAt,
          latitude: 30.2 + v / 10_000,
          longitude: -97.7 - v / 10_000,
          speedKph: 42.5,
          headingDeg: 180,
          ignition: null,
        });
      }
      live.to(`tenant:${t}`).emit("positions", batch);
    }
    tick += 1;
  }, tickMs);
  serveParent((http.address() as AddressInfo).port, async () => {
    clearInterval(timer);
    await io.close();
  });
} catch (err) {
  failToParent(err);
}

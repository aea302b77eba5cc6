import { randomBytes } from "node:crypto";
import { sealSecret } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

/** The demo WhatsApp integration's phone number id (Lone Star Transit); the simulator signs with its secret. */
export const DEMO_WHATSAPP_PHONE_NUMBER_ID = "109876543210001";

/** Geofences per demo tenant: sized to the simulator's loops (1.2–4.2 km around the city centre). */
const GEOFENCES: Record<
  string,
  { name: string; shape: Record<string, unknown>; kind: "circle" | "polygon"; speedLimitKph?: number; color: string }[]
> = {
  "lone-star-transit": [
    {
      name: "Downtown core",
      kind: "circle",
      shape: { latitude: 30.2672, longitude: -97.7431, radiusM: 2000 },
      speedLimitKph: 40,
      color: "#dc2626",
    },
    {
      name: "North Lamar depot",
      kind: "polygon",
      shape: {
        coordinates: [
          [
            [-97.752, 30.286],
            [-97.738, 30.286],
            [-97.738, 30.298],
            [-97.752, 30.298],
            [-97.752, 30.286],
          ],
        ],
      },
      color: "#2563eb",
    },
    {
      name: "East Riverside yard",
      kind: "circle",
      shape: { latitude: 30.245, longitude: -97.72, radiusM: 700 },
      color: "#16a34a",
    },
  ],
  "rhone-livraisons": [
    {
      name: "Presqu'île",
      kind: "circle",
      shape: { latitude: 45.764, longitude: 4.8357, radiusM: 1500 },
      speedLimitKph: 30,
      color: "#dc2626",
    },
  ],
};

const INBOUND = [
  "Running 10 min late, traffic on I-35",
  "Arrived at the depot",
  "Flat tire near 5th and Congress, need assistance",
  "Passenger left a bag on board",
  "Can I take my break now?",
  "Detour on Lamar, road closed",
  "Fuel card declined at the station",
  "All good, back on route",
];
const REPLIES = ["Thanks, noted", "Copy that", "Sending help now", "OK, take 15", "Please call dispatch", "Got it"];

/** A small deterministic PRNG (mulberry32), so every seed writes the same history. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The operations room's demo data, once (when the demo tenants have no geofence; under an advisory
 * lock for parallel test files): geofences the simulator's vehicles cross, Lone Star's 50 km/h
 * speed limit, a WhatsApp integration (local transport: replies land in the outbox) and 30 days of
 * driver conversations — inbound messages, most answered within minutes, some failed — and
 * events, so the feed and message analytics have a history. Runs as the database owner.
 */
export async function seedOperations(db: PrismaClient, tenants: Tenant[]): Promise<string | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.seed.operations', 0))`;
      const ids = tenants.map((t) => t.id);
      if ((await tx.geofence.count({ where: { tenantId: { in: ids } } })) > 0) return null;
      let messages = 0;
      let events = 0;
      for (const tenant of tenants) {
        for (const g of GEOFENCES[tenant.slug] ?? []) {
          await tx.geofence.create({
            data: {
              tenantId: tenant.id,
              name: g.name,
              kind: g.kind,
              shape: g.shape as object,
              speedLimitKph: g.speedLimitKph ?? null,
              color: g.color,
            },
          });
        }
        if (tenant.slug !== "lone-star-transit") continue;
        await tx.eventRules.create({ data: { tenantId: tenant.id, overspeedKph: 50 } });
        await tx.integration.create({
          data: {
            tenantId: tenant.id,
            provider: "whatsapp",
            externalId: DEMO_WHATSAPP_PHONE_NUMBER_ID,
            displayName: "+1 512 555 0100 (demo)",
            secret: sealSecret(randomBytes(24).toString("hex")),
            verifyToken: `lonestar-demo-${randomBytes(6).toString("hex")}`,
          },
        });
        const drivers = await tx.driver.findMany({
          where: { tenantId: tenant.id, phone: { not: null }, status: "active", deletedAt: null },
          orderBy: { lastName: "asc" },
        });
        const vehicles = await tx.vehicle.findMany({ where: { tenantId: tenant.id, deletedAt: null } });
        // Replies are the demo dispatcher's (message analytics counts replies by their sender).
        const dispatcher = await tx.user.findFirst({
          where: { email: "dispatch@lonestar.demo" },
          select: { id: true },
        });
        const sentBy = dispatcher?.id ?? null;
        const rand = prng(42);
        const now = Date.now();
        for (const driver of drivers) {
          const conversation = await tx.conversation.create({ data: { tenantId: tenant.id, driverId: driver.id } });
          let last = 0;
          let lastInbound = 0;
          for (let day = 30; day >= 1; day--) {
            const count = Math.floor(rand() * 3);
            for (let k = 0; k < count; k++) {
              // Working hours, 06:00–20:00 Austin time (UTC−6/−5 → 12:00–02:00 UTC).
              const t = now - day * 86_400_000 + (rand() * 14 - 7) * 3_600_000;
              const body = INBOUND[Math.floor(rand() * INBOUND.length)] ?? "OK";
              await tx.$executeRaw`
                INSERT INTO msg_messages (time, tenant_id, conversation_id, driver_id, direction, channel, status, body, provider_message_id)
                VALUES (${new Date(t)}, ${tenant.id}::uuid, ${conversation.id}::uuid, ${driver.id}::uuid, 'inbound', 'whatsapp',
                        'received', ${body}, ${`wamid.demo${randomBytes(8).toString("hex")}`})`;
              messages++;
              lastInbound = Math.max(lastInbound, t);
              last = Math.max(last, t);
              if (rand() < 0.8) {
                const replyAt = t + (1 + rand() * rand() * 45) * 60_000;
                const failed = rand() < 0.06;
                await tx.$executeRaw`
                  INSERT INTO msg_messages (time, tenant_id, conversation_id, driver_id, direction, channel, status, body,
                                            status_reason, sent_at, delivered_at, failed_at, sent_by_user_id)
                  VALUES (${new Date(replyAt)}, ${tenant.id}::uuid, ${conversation.id}::uuid, ${driver.id}::uuid, 'outbound',
                          'local', ${failed ? "failed" : "delivered"}::msg_status, ${REPLIES[Math.floor(rand() * REPLIES.length)] ?? "OK"},
                          ${failed ? "WhatsApp: Message undeliverable (code 131026)" : null}, ${new Date(replyAt)},
                          ${failed ? null : new Date(replyAt + 4000)}, ${failed ? new Date(replyAt + 2000) : null},
                          ${sentBy}::uuid)`;
                messages++;
                last = Math.max(last, replyAt);
              }
            }
          }
          await tx.conversation.update({
            where: { id: conversation.id },
            data: {
              lastMessageAt: last ? new Date(last) : null,
              lastInboundAt: lastInbound ? new Date(lastInbound) : null,
            },
          });
        }
        for (let day = 14; day >= 1; day--) {
          for (let k = 0; k < 3; k++) {
            const vehicle = vehicles[Math.floor(rand() * vehicles.length)];
            if (!vehicle) continue;
            const speed = 52 + Math.round(rand() * 20);
            const t = new Date(now - day * 86_400_000 + (rand() * 14 - 7) * 3_600_000);
            await tx.$executeRaw`
              INSERT INTO tel_events (time, tenant_id, source, type, severity, title, vehicle_id, speed_kph, acknowledged_at)
              VALUES (${t}, ${tenant.id}::uuid, 'fleetcore', 'overspeed', ${speed >= 62.5 ? "critical" : "warning"}::tel_event_severity,
                      ${`Overspeed: ${speed} km/h, limit 50 km/h`}, ${vehicle.id}::uuid, ${speed}, ${t})`;
            events++;
          }
        }
      }
      return `geofences, event rules, a demo WhatsApp integration, ${messages} driver messages and ${events} past events`;
    },
    { timeout: 60_000 },
  );
}

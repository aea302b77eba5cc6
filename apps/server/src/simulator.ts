/**
 * The demo fleet simulator (on by default outside tests, `SIMULATOR=off` to disable): every few
 * seconds each active device with a vehicle in the demo tenants reports a fix through the real
 * OsmAnd endpoint (HTTP, Traccar Client's format), so a newcomer sees vehicles move at once. Each
 * vehicle drives a loop around its city at 25–55 km/h and stops now and then, crossing the demo
 * geofences (enter/exit and overspeed events follow). About once a minute a Lone Star driver
 * "writes" a WhatsApp message: a webhook in Meta's format, signed with the demo integration's app
 * secret, posted to /webhooks/whatsapp. Nothing is faked below the HTTP request.
 */
import { createHmac } from "node:crypto";
import { openSecret } from "@fleetcore/core";
import { type PrismaClient, withScope } from "@fleetcore/db";
import { DEMO_WHATSAPP_PHONE_NUMBER_ID } from "../../../prisma/seed/operations";

/** Loop centres by demo tenant slug (degrees). */
const CENTRES: Record<string, [number, number]> = {
  "lone-star-transit": [30.2672, -97.7431], // Austin
  "rhone-livraisons": [45.764, 4.8357], // Lyon
};

interface SimulatedVehicle {
  uniqueId: string;
  centre: [number, number];
  radiusM: number;
  speedKph: number;
  angle: number;
  direction: 1 | -1;
  stoppedUntil: number;
}

/** What demo drivers write. */
const DRIVER_MESSAGES = [
  "Running 10 min late, heavy traffic",
  "Arrived at the stop, no passengers waiting",
  "Road closed ahead, taking the detour",
  "Need fuel soon",
  "Passenger asked about the route 7 schedule",
  "Back on route",
];

const KNOTS_PER_KPH = 1 / 1.852;
const M_PER_DEG_LAT = 111_320;

export class FleetSimulator {
  private vehicles: SimulatedVehicle[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private loadedAt = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly ingestUrl: string,
    private readonly opts: {
      intervalMs?: number;
      tenantSlugs?: string[];
      /** `/webhooks/whatsapp` of this server: demo drivers' messages go there. Unset: no messages. */
      whatsAppWebhookUrl?: string;
      log?: (msg: string, err?: unknown) => void;
    } = {},
  ) {}

  start(): void {
    const every = this.opts.intervalMs ?? 5_000;
    this.timer = setInterval(() => {
      const tick = this.tick(every).catch((err) => this.opts.log?.("simulator tick failed", err));
      this.inFlight.add(tick);
      void tick.finally(() => this.inFlight.delete(tick));
    }, every);
    this.timer.unref();
  }

  /**
   * Stops the loop; resolves once the ticks already running have finished (their requests answered),
   * so a server closing next finds no simulator connection open.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Re-reads the demo devices once a minute (devices added in the UI join the loop). */
  private async load(): Promise<void> {
    const slugs = this.opts.tenantSlugs ?? Object.keys(CENTRES);
    const devices = await withScope(this.db, { kind: "system" }, (db) =>
      db.device.findMany({
        where: {
          status: "active",
          deletedAt: null,
          vehicleId: { not: null },
          tenant: { slug: { in: slugs }, status: { in: ["trial", "active"] } },
        },
        select: { uniqueId: true, tenant: { select: { slug: true } } },
        orderBy: { uniqueId: "asc" },
      }),
    );
    const known = new Map(this.vehicles.map((v) => [v.uniqueId, v]));
    this.vehicles = devices.map((d, i) => {
      const existing = known.get(d.uniqueId);
      if (existing) return existing;
      const centre = CENTRES[d.tenant.slug] ?? CENTRES["lone-star-transit"] ?? [30.2672, -97.7431];
      return {
        uniqueId: d.uniqueId,
        centre,
        radiusM: 1_200 + ((i * 733) % 3_000),
        speedKph: 25 + ((i * 7) % 30),
        angle: (i * 2.4) % (2 * Math.PI),
        direction: i % 2 === 0 ? 1 : -1,
        stoppedUntil: 0,
      };
    });
    this.loadedAt = Date.now();
  }

  private async tick(everyMs: number): Promise<void> {
    if (Date.now() - this.loadedAt > 60_000) await this.load();
    if (this.opts.whatsAppWebhookUrl && Math.random() < everyMs / 60_000) await this.driverWrites();
    const now = Date.now();
    await Promise.all(
      this.vehicles.map((v) => {
        let speed = v.speedKph;
        if (now < v.stoppedUntil) speed = 0;
        else if (Math.random() < 0.01) v.stoppedUntil = now + 30_000 + Math.random() * 60_000; // a stop
        v.angle += (v.direction * (speed / 3.6) * (everyMs / 1000)) / v.radiusM;
        const [lat0, lon0] = v.centre;
        const lat = lat0 + (v.radiusM * Math.sin(v.angle)) / M_PER_DEG_LAT;
        const lon = lon0 + (v.radiusM * Math.cos(v.angle)) / (M_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180));
        // Tangent of the loop, as a compass bearing.
        const bearing =
          ((Math.atan2(v.direction * Math.cos(v.angle) * -1, v.direction * Math.sin(v.angle) * -1) * 180) / Math.PI +
            360) %
          360;
        const q = new URLSearchParams({
          id: v.uniqueId,
          lat: lat.toFixed(6),
          lon: lon.toFixed(6),
          timestamp: String(Math.floor(now / 1000)),
          speed: (speed * KNOTS_PER_KPH).toFixed(2),
          bearing: bearing.toFixed(0),
          batt: "90",
        });
        return fetch(`${this.ingestUrl}?${q}`).then(
          (res) => res.body?.cancel(),
          () => undefined,
        );
      }),
    );
  }

  /** A random demo driver at the wheel sends a WhatsApp message (signed as Meta would sign it). */
  private async driverWrites(): Promise<void> {
    const found = await withScope(this.db, { kind: "system" }, async (db) => {
      const integration = await db.integration.findFirst({
        where: { provider: "whatsapp", externalId: DEMO_WHATSAPP_PHONE_NUMBER_ID, enabled: true },
      });
      if (!integration?.secret) return null;
      const drivers = await db.driver.findMany({
        where: { tenantId: integration.tenantId, phone: { not: null }, deletedAt: null, status: "active" },
        select: { phone: true, firstName: true },
      });
      return { secret: openSecret(integration.secret) ?? "", drivers };
    });
    const driver = found?.drivers[Math.floor(Math.random() * found.drivers.length)];
    if (!found || !driver?.phone || !this.opts.whatsAppWebhookUrl) return;
    const from = driver.phone.replace(/^\+/, "");
    const text = DRIVER_MESSAGES[Math.floor(Math.random() * DRIVER_MESSAGES.length)] ?? "On my way";
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "demo-waba",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15125550100", phone_number_id: DEMO_WHATSAPP_PHONE_NUMBER_ID },
                contacts: [{ profile: { name: driver.firstName }, wa_id: from }],
                messages: [
                  {
                    from,
                    id: `wamid.sim${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: "text",
                    text: { body: text },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = `sha256=${createHmac("sha256", found.secret).update(body).digest("hex")}`;
    await fetch(this.opts.whatsAppWebhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    }).then(
      (res) => res.body?.cancel(),
      () => undefined,
    );
  }
}

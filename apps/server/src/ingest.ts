/**
 * HTTP ingest endpoints (wiring only; decoding and storage live in @fleetcore/core):
 * - `GET|POST /ingest/osmand` on the main port, and `/` (any path) on the OsmAnd port (5055): the
 *   OsmAnd protocol as Traccar Client sends it (query parameters, form body or JSON body).
 * - `POST /ingest/traccar`: a Traccar server's JSON position/event forwarding (`forward.type=json`).
 * - `POST /ingest/positions`: the batch API (JSON array or NDJSON), `Authorization: Bearer <key>`.
 * Answers: 200 once the positions are committed; 400 with the reason; 401 for a bad key; 503 with
 * Retry-After when the write queue is full.
 */
import {
  authenticateIngestApiKey,
  BackpressureError,
  type DecodedPosition,
  DecodeError,
  decodeOsmAndJson,
  decodeOsmAndQuery,
  decodeTraccarForward,
  describeIssues,
  type IngestService,
  insertVehicleEvents,
  type StoredVehicleEvent,
  type TraccarForwardEvent,
} from "@fleetcore/core";
import { type PgPool, type PrismaClient, withScope } from "@fleetcore/db";
import { ZBatchPosition } from "@fleetcore/validators";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";

/** Most positions one batch request may carry. */
export const MAX_BATCH_POSITIONS = 50_000;

function fail(reply: FastifyReply, err: unknown) {
  if (err instanceof BackpressureError) {
    return reply.code(503).header("Retry-After", String(err.retryAfterS)).send(err.message);
  }
  if (err instanceof DecodeError) return reply.code(400).type("text/plain").send(err.message);
  throw err;
}

/** Form bodies (OsmAnd clients that POST their parameters) and NDJSON arrive as text. */
function addTextParsers(app: FastifyInstance) {
  app.addContentTypeParser(
    ["application/x-www-form-urlencoded", "text/plain", "application/x-ndjson"],
    { parseAs: "string" },
    (_req, body, done) => done(null, body),
  );
}

/** Decodes one OsmAnd request: JSON body, else query string merged with a form body. */
function decodeOsmAnd(req: FastifyRequest): DecodedPosition {
  if (req.body && typeof req.body === "object" && !Array.isArray(req.body)) return decodeOsmAndJson(req.body);
  const params = new URLSearchParams(req.url.split("?")[1] ?? "");
  if (typeof req.body === "string" && req.body.length > 0) {
    for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
  }
  return decodeOsmAndQuery(params);
}

async function handleOsmAnd(ingest: IngestService, req: FastifyRequest, reply: FastifyReply) {
  try {
    const fix = decodeOsmAnd(req);
    const result = await ingest.ingest([fix], { protocol: "osmand", ip: req.ip });
    const rejected = result.rejected[0];
    if (rejected) return reply.code(400).type("text/plain").send(rejected.reason);
    return reply.code(200).send();
  } catch (err) {
    return fail(reply, err);
  }
}

/** Severity of a forwarded Traccar event type (Traccar's `Event.TYPE_*`): alarms are critical. */
function traccarSeverity(type: string): "info" | "warning" | "critical" {
  if (type === "alarm") return "critical";
  if (["deviceOverspeed", "geofenceExit", "deviceOffline", "deviceUnknown", "maintenance"].includes(type))
    return "warning";
  return "info";
}

/** Dependencies of the ingest routes. `publish` sends stored events on the live feed (after COMMIT). */
export interface IngestRouteDeps {
  ingest: IngestService;
  pool: PgPool;
  db: PrismaClient;
  publish: (events: StoredVehicleEvent[]) => void;
}

/**
 * Stores a Traccar-forwarded event (Traccar `Event`, e.g. alarm, deviceOverspeed, geofenceEnter,
 * ignitionOn) as a vehicle event of the device's tenant, source "traccar", type as Traccar names it.
 * @returns the stored event, or null when the device is not registered (or inactive)
 */
async function storeTraccarEvent(
  deps: IngestRouteDeps,
  uniqueId: string,
  event: TraccarForwardEvent,
  position: DecodedPosition | null,
): Promise<StoredVehicleEvent | null> {
  const device = await deps.ingest.lookupDevice(uniqueId);
  if (!device) return null;
  const alarm = typeof event.attributes.alarm === "string" ? `: ${event.attributes.alarm}` : "";
  const geofence = typeof event.attributes.geofenceName === "string" ? ` (${event.attributes.geofenceName})` : "";
  const [stored] = await withScope(deps.db, { kind: "system" }, (tx) =>
    insertVehicleEvents(tx, [
      {
        tenantId: device.tenantId,
        time: event.time ?? position?.time ?? new Date(),
        source: "traccar",
        type: event.type,
        severity: traccarSeverity(event.type),
        title: `Traccar ${event.type}${alarm}${geofence}`,
        vehicleId: device.vehicleId,
        deviceId: device.deviceId,
        latitude: position?.latitude ?? null,
        longitude: position?.longitude ?? null,
        speedKph: position?.speedKph ?? null,
        attributes: { ...event.attributes, traccarGeofenceId: event.geofenceId ?? null },
      },
    ]),
  );
  return stored ?? null;
}

/** Registers the ingest routes on the main app. */
export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps) {
  const { ingest, pool } = deps;
  app.register(async (scope) => {
    addTextParsers(scope);
    scope.route({
      method: ["GET", "POST"],
      url: "/ingest/osmand",
      handler: (req, reply) => handleOsmAnd(ingest, req, reply),
    });

    scope.post("/ingest/traccar", async (req, reply) => {
      try {
        const forward = decodeTraccarForward(req.body);
        let event: StoredVehicleEvent | null = null;
        if (forward.event) {
          event = await storeTraccarEvent(deps, forward.device.uniqueId, forward.event, forward.position);
          if (!event) {
            return reply
              .code(400)
              .type("text/plain")
              .send(`unknown device "${forward.device.uniqueId}": register it in Fleetcore first`);
          }
          deps.publish([event]);
        }
        if (!forward.position) return reply.code(200).send({ accepted: 0, event: event?.id ?? null });
        const result = await ingest.ingest([forward.position], { protocol: "traccar", ip: req.ip });
        const rejected = result.rejected[0];
        // An event forward whose position was already stored (Traccar sends the event's position) is fine.
        if (rejected && !event) return reply.code(400).type("text/plain").send(rejected.reason);
        return reply
          .code(200)
          .send({ accepted: result.inserted, duplicates: result.duplicates, event: event?.id ?? null });
      } catch (err) {
        return fail(reply, err);
      }
    });

    scope.post("/ingest/positions", { bodyLimit: 32 * 1024 * 1024 }, async (req, reply) => {
      const auth = req.headers.authorization ?? "";
      const key = auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
      const owner = key ? await authenticateIngestApiKey(pool, key) : null;
      if (!owner) {
        return reply
          .code(401)
          .header("WWW-Authenticate", 'Bearer realm="fleetcore-ingest"')
          .send({ error: "invalid or revoked API key" });
      }
      let items: unknown[];
      const lineErrors: { index: number; reason: string }[] = [];
      if (typeof req.body === "string") {
        items = [];
        req.body.split("\n").forEach((line, i) => {
          if (line.trim() === "") return;
          try {
            items.push(JSON.parse(line));
          } catch {
            lineErrors.push({ index: i, reason: "not valid JSON" });
            items.push(undefined);
          }
        });
      } else if (Array.isArray(req.body)) {
        items = req.body;
      } else {
        return reply
          .code(400)
          .send({ error: "body must be a JSON array of positions or NDJSON (one position per line)" });
      }
      if (items.length > MAX_BATCH_POSITIONS) {
        return reply.code(413).send({ error: `at most ${MAX_BATCH_POSITIONS} positions per request` });
      }
      const rejected: { index: number; reason: string }[] = [];
      const fixes: DecodedPosition[] = [];
      const indexOf: number[] = [];
      items.forEach((item, index) => {
        if (item === undefined) return;
        const parsed = ZBatchPosition.safeParse(item);
        if (!parsed.success) {
          rejected.push({ index, reason: describeIssues(parsed.error.issues) });
          return;
        }
        const p = parsed.data;
        fixes.push({
          uniqueId: p.deviceId,
          time: p.time,
          latitude: p.latitude,
          longitude: p.longitude,
          speedKph: p.speedKph ?? null,
          headingDeg: p.headingDeg ?? null,
          altitudeM: p.altitudeM ?? null,
          accuracyM: p.accuracyM ?? null,
          valid: p.valid ?? null,
          attributes: p.attributes,
        });
        indexOf.push(index);
      });
      try {
        const result = await ingest.ingest(fixes, { protocol: "batch", ip: req.ip, tenantId: owner.tenantId });
        for (const r of result.rejected) rejected.push({ index: indexOf[r.index] ?? r.index, reason: r.reason });
        // NDJSON line numbers for lines that were not JSON (index = line, 0-based).
        rejected.push(...lineErrors);
        rejected.sort((a, b) => a.index - b.index);
        return reply.code(200).send({ accepted: result.inserted, duplicates: result.duplicates, rejected });
      } catch (err) {
        return fail(reply, err);
      }
    });
  });
}

/** The OsmAnd protocol's own listener (port 5055 by default): every path, GET or POST. */
export function buildOsmAndServer(ingest: IngestService, opts: { logLevel: string }): FastifyInstance {
  const app = Fastify({ logger: { level: opts.logLevel } });
  addTextParsers(app);
  app.route({ method: ["GET", "POST"], url: "/*", handler: (req, reply) => handleOsmAnd(ingest, req, reply) });
  return app;
}

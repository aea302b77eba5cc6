/**
 * Samsara Webhooks 2.0 (event subscriptions and alert webhooks): request signature and event payloads.
 *
 * Formats, from Samsara's developer documentation:
 * - Signature: "Webhooks" guide, https://developers.samsara.com/docs/webhooks. Every request carries
 *   `X-Samsara-Timestamp: <Unix seconds>` and `X-Samsara-Signature: v1=<hex>`, the HMAC-SHA256 of
 *   `v1:<timestamp>:<raw body>` keyed with the webhook's secret key, which Samsara shows base64-encoded and
 *   which is base64-decoded to get the HMAC key. (The header names and value formats are in the guide's
 *   example request; the signed string and the base64 key follow its verification steps as reproduced by
 *   several public integrations; this module's tests compute their vectors from that scheme.)
 * - Envelope: `{"eventId","eventTime":RFC 3339,"eventType","orgId":number,"webhookId","data":{…}}`.
 * - Data per event type: the "[Beta] <EventType> Event Schema" pages, https://developers.samsara.com/docs/
 *   geofenceexit (GeofenceEntry is the same shape), routestoparrival, routestopdeparture,
 *   beta-speedingeventstarted-event-schema-42, drivercreated, driverupdated, vehicleupdated (VehicleCreated is
 *   the same shape), and "Alert Webhook Event Schema" (alert-webhook-payload) / "Alert Incident" (alertincident)
 *   for AlertIncident. SpeedingEventEnded has no page Fleetcore could read; it is read like
 *   SpeedingEventStarted.
 *
 * Pure: no database, no HTTP framework. zod is not a dependency of @fleetcore/core, so bodies are checked by
 * the readers of ../ingest/json; every rejection names the offending field.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { isObject, type JsonObject, optNumber, optObject, optString } from "../ingest/json";
import { parseIso8601Utc } from "../ingest/osmand";
import { DecodeError } from "../ingest/types";

/** Outcome of a check: ok, or a reason in words an operator can act on. */
export type SamsaraCheck = { ok: true } | { ok: false; reason: string };

/** The headers Samsara signs requests with (lower-case, as Node exposes them). */
export const SAMSARA_SIGNATURE_HEADER = "x-samsara-signature";
export const SAMSARA_TIMESTAMP_HEADER = "x-samsara-timestamp";

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;
const TIMESTAMP = /^\d{1,12}$/;
const V1_SIGNATURE = /^v1=([0-9a-fA-F]{64})$/;

/**
 * Checks a Samsara webhook request: `X-Samsara-Signature: v1=<64 hex>` must equal
 * HMAC-SHA256(base64-decoded secret, `"v1:" + X-Samsara-Timestamp + ":" + raw body bytes`), and the timestamp
 * (Unix seconds) must be within `toleranceS` of `nowMs`, so a captured request cannot be replayed later.
 *
 * Verify the raw body before any JSON parsing (a re-serialised body no longer matches). A signature header
 * holding several comma- or space-separated `v1=` values (as during a secret rotation) passes when any one
 * matches. Digests are compared with `crypto.timingSafeEqual` on equal-length (32-byte) buffers. The
 * signature is checked before the clock, so "stale" is only ever reported for a genuinely signed request.
 *
 * @param secretBase64 The webhook's secret key as Samsara shows it (base64; base64url is accepted too).
 * @param nowMs The receiver's clock, epoch milliseconds (`Date.now()`).
 * @param toleranceS Allowed distance between the timestamp and `nowMs`, seconds, either way (default 300).
 * @returns `{ ok: true }`, or `{ ok: false, reason }` when the secret is empty or not base64, a header is
 *   missing or malformed, the signature does not match, or the timestamp is too old or in the future.
 */
export function verifySamsaraSignature(
  rawBody: Buffer,
  headers: { signature: string | undefined; timestamp: string | undefined },
  secretBase64: string,
  nowMs: number,
  toleranceS = 300,
): SamsaraCheck {
  const secretText = secretBase64.trim();
  if (secretText === "" || !BASE64.test(secretText)) {
    return { ok: false, reason: "the Samsara webhook secret is not configured or is not base64" };
  }
  // Node's base64 decoder also accepts the URL-safe alphabet.
  const key = Buffer.from(secretText, "base64");
  if (key.length === 0) return { ok: false, reason: "the Samsara webhook secret decodes to no bytes" };

  const timestamp = headers.timestamp?.trim();
  if (!timestamp) return { ok: false, reason: "missing X-Samsara-Timestamp header" };
  if (!TIMESTAMP.test(timestamp)) {
    return { ok: false, reason: "malformed X-Samsara-Timestamp header: expected Unix seconds" };
  }
  const signature = headers.signature?.trim();
  if (!signature) return { ok: false, reason: "missing X-Samsara-Signature header" };
  const candidates = signature
    .split(/[\s,]+/)
    .map((part) => V1_SIGNATURE.exec(part)?.[1])
    .filter((hex): hex is string => hex !== undefined);
  if (candidates.length === 0) {
    return { ok: false, reason: "malformed X-Samsara-Signature header: expected v1=<64 hex digits>" };
  }

  const expected = createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`v1:${timestamp}:`, "utf8"), rawBody]))
    .digest();
  let matched = false;
  for (const hex of candidates) {
    const given = Buffer.from(hex, "hex");
    // Every candidate is compared (no early exit), so timing does not reveal which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) {
    return {
      ok: false,
      reason:
        "X-Samsara-Signature does not match the body (wrong secret, or the body or timestamp was altered or re-serialised)",
    };
  }

  const skewS = Math.round(nowMs / 1000) - Number(timestamp);
  if (skewS > toleranceS) {
    return { ok: false, reason: `stale X-Samsara-Timestamp: ${skewS} s old, more than ${toleranceS} s (replay?)` };
  }
  if (-skewS > toleranceS) {
    return { ok: false, reason: `X-Samsara-Timestamp is ${-skewS} s in the future, more than ${toleranceS} s` };
  }
  return { ok: true };
}

/** Fleetcore's feed types for the Samsara events it understands. */
export const SAMSARA_EVENT_TYPES = {
  AlertIncident: "samsara_alert",
  GeofenceEntry: "geofence_enter",
  GeofenceExit: "geofence_exit",
  RouteStopArrival: "route_stop_arrival",
  RouteStopDeparture: "route_stop_departure",
  SpeedingEventStarted: "speeding_started",
  SpeedingEventEnded: "speeding_ended",
  DriverCreated: "driver_created",
  DriverUpdated: "driver_updated",
  VehicleCreated: "vehicle_created",
  VehicleUpdated: "vehicle_updated",
} as const;

export type SamsaraEventSeverity = "info" | "warning" | "critical";

/** A Samsara event in Fleetcore's words, for the activity feed and matching to our vehicles/drivers. */
export interface SamsaraNormalizedEvent {
  /** A {@link SAMSARA_EVENT_TYPES} value, or `"samsara_" + eventType` for any other event type. */
  type: string;
  severity: SamsaraEventSeverity;
  /** One human sentence for a feed, e.g. "Fleet Truck #1 entered Company Office #1". */
  title: string;
  /** Samsara's vehicle (its Samsara id and name), when the event names one. */
  vehicle: { id: string; name: string | null } | null;
  /** Samsara's driver, when the event names one; `phone` as Samsara stores it (free text). */
  driver: { id: string; name: string | null; phone: string | null } | null;
  /** WGS 84 degrees: the geofence's or stop's centre as configured in Samsara, not a vehicle's GPS fix. */
  location: { latitude: number; longitude: number } | null;
  /** The address involved (formatted street address, else the address's name). */
  address: string | null;
}

/** One decoded Samsara Webhooks 2.0 request. */
export interface SamsaraEvent {
  /** Samsara's event id; the same on retries, so use it to deduplicate. */
  eventId: string;
  /** When Samsara created the event. */
  eventTime: Date;
  /** Samsara's type as sent: AlertIncident, GeofenceEntry, VehicleUpdated, … */
  eventType: string;
  /** The Samsara organisation (a number in the JSON, as a string here). */
  orgId: string;
  webhookId: string;
  /** `data` exactly as sent. */
  data: unknown;
  normalized: SamsaraNormalizedEvent;
}

type Ref = { id: string; name: string | null };

/** `obj[key]` as a Samsara entity reference `{id, name?}`; null when absent. Ids may be strings or numbers. */
function optRef(obj: JsonObject, key: string, path: string): (Ref & { raw: JsonObject }) | null {
  const v = optObject(obj, key, path);
  if (v === null) return null;
  const id = v.id;
  if (typeof id === "number" && Number.isFinite(id)) return { id: String(id), name: optName(v, path), raw: v };
  if (typeof id !== "string" || id === "") throw new DecodeError(`${path}.id must be a non-empty string`);
  return { id, name: optName(v, path), raw: v };
}

function optName(v: JsonObject, path: string): string | null {
  return optString(v, "name", `${path}.name`) || null;
}

function vehicleOf(obj: JsonObject, key: string, path: string): SamsaraNormalizedEvent["vehicle"] {
  const ref = optRef(obj, key, path);
  return ref ? { id: ref.id, name: ref.name } : null;
}

function driverOf(obj: JsonObject, key: string, path: string): SamsaraNormalizedEvent["driver"] {
  const ref = optRef(obj, key, path);
  return ref ? { id: ref.id, name: ref.name, phone: optString(ref.raw, "phone", `${path}.phone`) || null } : null;
}

/** A `{latitude, longitude}` pair in range, or null when either is absent. */
function latLon(obj: JsonObject, path: string): { latitude: number; longitude: number } | null {
  const latitude = optNumber(obj, "latitude", `${path}.latitude`);
  const longitude = optNumber(obj, "longitude", `${path}.longitude`);
  if (latitude === null || longitude === null) return null;
  if (latitude < -90 || latitude > 90) throw new DecodeError(`${path}.latitude ${latitude} is outside [-90, 90]`);
  if (longitude < -180 || longitude > 180) {
    throw new DecodeError(`${path}.longitude ${longitude} is outside [-180, 180]`);
  }
  return { latitude, longitude };
}

/**
 * An address object's place: its own latitude/longitude, else its circular geofence's centre, else the mean of
 * its polygon's vertices (good enough to place a feed item on a map).
 */
function addressPlace(address: JsonObject, path: string): SamsaraNormalizedEvent["location"] {
  const own = latLon(address, path);
  if (own) return own;
  const geofence = optObject(address, "geofence", `${path}.geofence`);
  if (!geofence) return null;
  const circle = optObject(geofence, "circle", `${path}.geofence.circle`);
  const centre = circle ? latLon(circle, `${path}.geofence.circle`) : null;
  if (centre) return centre;
  const polygon = optObject(geofence, "polygon", `${path}.geofence.polygon`);
  const vertices = polygon?.vertices;
  if (!Array.isArray(vertices) || vertices.length === 0) return null;
  const points = vertices.map((v, k) => {
    const vp = `${path}.geofence.polygon.vertices[${k}]`;
    const p = isObject(v) ? latLon(v, vp) : null;
    if (!p) throw new DecodeError(`${vp} must have a latitude and longitude`);
    return p;
  });
  return {
    latitude: points.reduce((s, p) => s + p.latitude, 0) / points.length,
    longitude: points.reduce((s, p) => s + p.longitude, 0) / points.length,
  };
}

function addressText(address: JsonObject, path: string): string | null {
  return (
    optString(address, "formattedAddress", `${path}.formattedAddress`) ||
    optString(address, "name", `${path}.name`) ||
    null
  );
}

function label(ref: { id: string; name: string | null } | null, kind: string): string {
  return ref ? (ref.name ?? `${kind} ${ref.id}`) : `A ${kind.toLowerCase()}`;
}

const EMPTY = { vehicle: null, driver: null, location: null, address: null } as const;

function normalizeGeofence(data: JsonObject, entered: boolean): SamsaraNormalizedEvent {
  const vehicle = vehicleOf(data, "vehicle", "data.vehicle");
  const driver = driverOf(data, "driver", "data.driver");
  const address = optObject(data, "address", "data.address");
  const place = address ? (optName(address, "data.address") ?? addressText(address, "data.address")) : null;
  const who = vehicle ? label(vehicle, "Vehicle") : driver ? label(driver, "Driver") : "A vehicle";
  return {
    type: entered ? SAMSARA_EVENT_TYPES.GeofenceEntry : SAMSARA_EVENT_TYPES.GeofenceExit,
    severity: "info",
    title: `${who} ${entered ? "entered" : "left"} ${place ?? "a geofence"}`,
    vehicle,
    driver,
    location: address ? addressPlace(address, "data.address") : null,
    address: address ? addressText(address, "data.address") : null,
  };
}

function normalizeRouteStop(data: JsonObject, arrived: boolean): SamsaraNormalizedEvent {
  const vehicle = vehicleOf(data, "vehicle", "data.vehicle");
  const driver = driverOf(data, "driver", "data.driver");
  const route = optObject(data, "route", "data.route");
  // The stop this event is about; the route object lists every stop of the route.
  const stop = optObject(data, "routeStopDetails", "data.routeStopDetails");
  const stopAddress = stop ? optObject(stop, "address", "data.routeStopDetails.address") : null;
  const stopName =
    (stop ? optName(stop, "data.routeStopDetails") : null) ??
    (stopAddress ? optName(stopAddress, "data.routeStopDetails.address") : null);
  const routeName = route ? optName(route, "data.route") : null;
  const who = vehicle ? label(vehicle, "Vehicle") : label(driver, "Driver");
  const where = stopName ?? "a stop";
  return {
    type: arrived ? SAMSARA_EVENT_TYPES.RouteStopArrival : SAMSARA_EVENT_TYPES.RouteStopDeparture,
    severity: "info",
    title: `${who} ${arrived ? "arrived at" : "departed"} ${where}${routeName ? ` on route ${routeName}` : ""}`,
    vehicle,
    driver,
    location: stopAddress ? addressPlace(stopAddress, "data.routeStopDetails.address") : null,
    address: stopAddress ? addressText(stopAddress, "data.routeStopDetails.address") : null,
  };
}

/** Samsara's speeding severity levels (Light, Moderate, Heavy, Severe) on Fleetcore's scale. */
function speedingSeverity(level: string | null): SamsaraEventSeverity {
  if (level === "Heavy" || level === "Severe") return "critical";
  return level === "Light" ? "info" : "warning";
}

function normalizeSpeeding(data: JsonObject, started: boolean): SamsaraNormalizedEvent {
  const vehicle = vehicleOf(data, "vehicle", "data.vehicle");
  const driver = driverOf(data, "driver", "data.driver");
  const level = optString(data, "severityLevel", "data.severityLevel");
  const location = optObject(data, "location", "data.location");
  return {
    type: started ? SAMSARA_EVENT_TYPES.SpeedingEventStarted : SAMSARA_EVENT_TYPES.SpeedingEventEnded,
    severity: started ? speedingSeverity(level) : "info",
    title: started
      ? `${label(vehicle, "Vehicle")} started speeding${level ? ` (${level.toLowerCase()})` : ""}`
      : `${label(vehicle, "Vehicle")} stopped speeding`,
    vehicle,
    driver,
    location: location ? latLon(location, "data.location") : null,
    address: null,
  };
}

function normalizeDriver(data: JsonObject, created: boolean): SamsaraNormalizedEvent {
  const driver = driverOf(data, "driver", "data.driver");
  if (!driver) throw new DecodeError("missing data.driver");
  const raw = optObject(data, "driver", "data.driver") ?? {};
  return {
    ...EMPTY,
    type: created ? SAMSARA_EVENT_TYPES.DriverCreated : SAMSARA_EVENT_TYPES.DriverUpdated,
    severity: "info",
    title: `Driver ${driver.name ?? driver.id} was ${created ? "added" : "updated"} in Samsara`,
    driver,
    vehicle: vehicleOf(raw, "staticAssignedVehicle", "data.driver.staticAssignedVehicle"),
  };
}

function normalizeVehicle(data: JsonObject, created: boolean): SamsaraNormalizedEvent {
  const vehicle = vehicleOf(data, "vehicle", "data.vehicle");
  if (!vehicle) throw new DecodeError("missing data.vehicle");
  const raw = optObject(data, "vehicle", "data.vehicle") ?? {};
  return {
    ...EMPTY,
    type: created ? SAMSARA_EVENT_TYPES.VehicleCreated : SAMSARA_EVENT_TYPES.VehicleUpdated,
    severity: "info",
    title: `Vehicle ${vehicle.name ?? vehicle.id} was ${created ? "added" : "updated"} in Samsara`,
    vehicle,
    driver: driverOf(raw, "staticAssignedDriver", "data.vehicle.staticAssignedDriver"),
  };
}

/**
 * An alert incident: `data.conditions[]` each with a `description` and `details` holding one object per
 * trigger kind (`{"geofenceEntry":{vehicle,driver,address…}}`, `{"severeSpeeding":{…}}`…); the legacy payload
 * puts `vehicle`/`driver` directly in `details`. The first vehicle, driver and address found are used.
 */
function normalizeAlert(data: JsonObject): SamsaraNormalizedEvent {
  const conditions = data.conditions;
  if (conditions !== undefined && conditions !== null && !Array.isArray(conditions)) {
    throw new DecodeError("data.conditions must be an array");
  }
  let description: string | null = null;
  let vehicle: SamsaraNormalizedEvent["vehicle"] = null;
  let driver: SamsaraNormalizedEvent["driver"] = null;
  let location: SamsaraNormalizedEvent["location"] = null;
  let address: string | null = null;
  for (const [i, c] of (conditions ?? []).entries()) {
    const cp = `data.conditions[${i}]`;
    if (!isObject(c)) throw new DecodeError(`${cp} must be an object`);
    description = description ?? (optString(c, "description", `${cp}.description`) || null);
    const details = optObject(c, "details", `${cp}.details`);
    if (!details) continue;
    const scopes: Array<[JsonObject, string]> = [[details, `${cp}.details`]];
    for (const [kind, v] of Object.entries(details)) {
      if (isObject(v) && kind !== "vehicle" && kind !== "driver") scopes.push([v, `${cp}.details.${kind}`]);
    }
    for (const [scope, sp] of scopes) {
      vehicle = vehicle ?? vehicleOf(scope, "vehicle", `${sp}.vehicle`);
      driver = driver ?? driverOf(scope, "driver", `${sp}.driver`);
      const a = optObject(scope, "address", `${sp}.address`);
      if (a && !address) {
        address = addressText(a, `${sp}.address`);
        location = location ?? addressPlace(a, `${sp}.address`);
      }
      const loc = optObject(scope, "location", `${sp}.location`);
      if (loc && !location) location = latLon(loc, `${sp}.location`);
    }
  }
  const resolved = data.isResolved === true;
  const what = description ?? "Samsara alert";
  return {
    type: SAMSARA_EVENT_TYPES.AlertIncident,
    severity: resolved ? "info" : "warning",
    title: `${resolved ? "Resolved: " : ""}${what}${vehicle ? ` (${label(vehicle, "Vehicle")})` : ""}`,
    vehicle,
    driver,
    location,
    address,
  };
}

/**
 * Any other event type: kept, with the `vehicle`/`driver` at the top of `data` when they are well-formed
 * (an unknown payload is never rejected for its shape).
 */
function normalizeOther(eventType: string, data: unknown): SamsaraNormalizedEvent {
  const obj = isObject(data) ? data : {};
  const lenient = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (err) {
      if (err instanceof DecodeError) return null;
      throw err;
    }
  };
  const vehicle = lenient(() => vehicleOf(obj, "vehicle", "data.vehicle"));
  return {
    ...EMPTY,
    type: `samsara_${eventType}`,
    severity: "info",
    title: `Samsara ${eventType}${vehicle ? ` for ${label(vehicle, "Vehicle")}` : ""}`,
    vehicle,
    driver: lenient(() => driverOf(obj, "driver", "data.driver")),
  };
}

function normalize(eventType: string, data: unknown): SamsaraNormalizedEvent {
  if (!(eventType in SAMSARA_EVENT_TYPES)) return normalizeOther(eventType, data);
  if (!isObject(data)) throw new DecodeError(`data must be an object for a ${eventType} event`);
  switch (eventType as keyof typeof SAMSARA_EVENT_TYPES) {
    case "AlertIncident":
      return normalizeAlert(data);
    case "GeofenceEntry":
      return normalizeGeofence(data, true);
    case "GeofenceExit":
      return normalizeGeofence(data, false);
    case "RouteStopArrival":
      return normalizeRouteStop(data, true);
    case "RouteStopDeparture":
      return normalizeRouteStop(data, false);
    case "SpeedingEventStarted":
      return normalizeSpeeding(data, true);
    case "SpeedingEventEnded":
      return normalizeSpeeding(data, false);
    case "DriverCreated":
      return normalizeDriver(data, true);
    case "DriverUpdated":
      return normalizeDriver(data, false);
    case "VehicleCreated":
      return normalizeVehicle(data, true);
    case "VehicleUpdated":
      return normalizeVehicle(data, false);
  }
}

/** A string, or an integer number as its decimal string (Samsara's `orgId` is a JSON number). */
function idString(obj: JsonObject, key: string): string {
  const v = obj[key];
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  if (typeof v === "string" && v.trim() !== "") return v;
  if (v === undefined || v === null) throw new DecodeError(`missing ${key}`);
  throw new DecodeError(`${key} must be a string or an integer`);
}

/**
 * Decodes one Samsara Webhooks 2.0 request body (already JSON-parsed, after {@link verifySamsaraSignature}).
 *
 * Input: `{"eventId": string, "eventTime": RFC 3339, "eventType": string, "orgId": number|string,
 * "webhookId": string|number, "data": {…}}`. `orgId`/`webhookId` become strings; `data` is kept as sent.
 * `normalized` summarises the event for Fleetcore (see {@link SamsaraNormalizedEvent}):
 * - AlertIncident → `samsara_alert`, warning (info once `isResolved`), title from the first condition's
 *   description; vehicle/driver/address from the condition details.
 * - GeofenceEntry/GeofenceExit → `geofence_enter`/`geofence_exit`, info; `data.address` (name, formatted
 *   address, geofence circle centre or polygon mean) and `data.vehicle`.
 * - RouteStopArrival/RouteStopDeparture → `route_stop_arrival`/`route_stop_departure`, info; the stop from
 *   `data.routeStopDetails`, the route name from `data.route`, plus `data.vehicle`/`data.driver`.
 * - SpeedingEventStarted → `speeding_started`, severity from `severityLevel` (Light → info, Moderate →
 *   warning, Heavy/Severe → critical); SpeedingEventEnded → `speeding_ended`, info.
 * - DriverCreated/DriverUpdated → `driver_created`/`driver_updated` with `data.driver` (id, name, phone) and
 *   its `staticAssignedVehicle`; VehicleCreated/VehicleUpdated → `vehicle_created`/`vehicle_updated` with
 *   `data.vehicle` and its `staticAssignedDriver`.
 * - Any other type (EngineFaultOn, DvirSubmitted, Ping…) is accepted, not dropped: `"samsara_" + eventType`,
 *   info, with a top-level `data.vehicle`/`data.driver` when present.
 *
 * @returns `{ ok: true, value }`, or `{ ok: false, reason }` when the body is not an object, an envelope field
 *   is missing or of the wrong type, `eventTime` is not RFC 3339, `data` is not an object for a known type, or
 *   a referenced entity has no id (the reason names the field).
 */
export function parseSamsaraEvent(body: unknown): { ok: true; value: SamsaraEvent } | { ok: false; reason: string } {
  try {
    if (!isObject(body)) throw new DecodeError("body must be a JSON object");
    const eventId = optString(body, "eventId", "eventId");
    if (!eventId) throw new DecodeError("missing eventId");
    const eventType = optString(body, "eventType", "eventType");
    if (!eventType) throw new DecodeError("missing eventType");
    const rawTime = optString(body, "eventTime", "eventTime");
    if (!rawTime) throw new DecodeError("missing eventTime");
    const eventTime = parseIso8601Utc(rawTime);
    if (!eventTime) throw new DecodeError(`eventTime "${rawTime}" is not an RFC 3339 date-time`);
    const orgId = idString(body, "orgId");
    const webhookId = idString(body, "webhookId");
    const data = body.data ?? null;
    return {
      ok: true,
      value: { eventId, eventTime, eventType, orgId, webhookId, data, normalized: normalize(eventType, data) },
    };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: err.message };
    throw err;
  }
}

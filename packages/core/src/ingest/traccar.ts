/**
 * Traccar's JSON forwarding, received from a Traccar server: position forwarding (`forward.type=json`,
 * Traccar `org.traccar.forward.PositionForwarderJson`, body `{"position":{…},"device":{…}}`) and event
 * forwarding (`event.forward.type=json`, body `{"event":{…},"position":{…}|null,"device":{…},"geofence":…}`),
 * as described at https://www.traccar.org/forward/. Field names are Traccar's Jackson-serialised models
 * (`org.traccar.model.Position`, `Device`, `Event`); dates arrive as ISO 8601 strings such as
 * `2024-05-10T10:45:34.984+00:00`.
 *
 * Pure: no database, no HTTP framework.
 */

import { isObject, type JsonObject, optBoolean, optNumber, optString, setAttribute } from "./json";
import { parseIso8601Utc } from "./osmand";
import { type DecodedPosition, DecodeError, KNOTS_TO_KPH } from "./types";

/** A Traccar event (`org.traccar.model.Event`) as forwarded, in Fleetcore's shape. */
export interface TraccarForwardEvent {
  /** Traccar's event type: `deviceOnline`, `ignitionOn`, `geofenceEnter`, `alarm`, `deviceOverspeed`… */
  type: string;
  /** `eventTime` (Traccar ≥ 5; `serverTime` in Traccar 4), UTC; null when absent. */
  time: Date | null;
  /** The event's own attributes (e.g. `alarm`, `speed`, `speedLimit`), plus `geofenceName` when forwarded. */
  attributes: Record<string, unknown>;
  /** Traccar's geofence id; Traccar's 0 ("none") becomes null. */
  geofenceId?: number | null;
}

/** What one Traccar forwarding request carries. */
export interface TraccarForward {
  /** The forwarded position, or null for an event without one (e.g. `deviceOffline`). */
  position: DecodedPosition | null;
  /** The forwarded event, or null for plain position forwarding. */
  event: TraccarForwardEvent | null;
  /** The Traccar device: `uniqueId` is the device's identifier (IMEI…), `name` its Traccar name. */
  device: { uniqueId: string; name?: string };
}

/** A Traccar date: an ISO 8601 string (Traccar's default) or epoch milliseconds; null when absent. */
function optDate(obj: JsonObject, key: string, path: string): Date | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  let date: Date | null = null;
  if (typeof v === "string") date = parseIso8601Utc(v);
  else if (typeof v === "number" && Number.isFinite(v)) date = new Date(v);
  if (!date || Number.isNaN(date.getTime())) throw new DecodeError(`${path} must be an ISO 8601 date-time`);
  return date;
}

/** Copies `source` into a fresh object as own data properties (a `__proto__` key stays data). */
function copyAttributes(source: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) setAttribute(out, k, v);
  return out;
}

function decodePosition(p: JsonObject, uniqueId: string): DecodedPosition {
  const time = optDate(p, "fixTime", "position.fixTime");
  if (!time) throw new DecodeError("missing position.fixTime");
  const latitude = optNumber(p, "latitude", "position.latitude");
  if (latitude === null) throw new DecodeError("missing position.latitude");
  const longitude = optNumber(p, "longitude", "position.longitude");
  if (longitude === null) throw new DecodeError("missing position.longitude");
  if (latitude < -90 || latitude > 90) throw new DecodeError(`invalid position.latitude: ${latitude}`);
  if (longitude < -180 || longitude > 180) throw new DecodeError(`invalid position.longitude: ${longitude}`);
  const speedKn = optNumber(p, "speed", "position.speed");
  const course = optNumber(p, "course", "position.course");
  const altitude = optNumber(p, "altitude", "position.altitude");
  const accuracy = optNumber(p, "accuracy", "position.accuracy");
  const valid = optBoolean(p, "valid", "position.valid");

  const rawAttributes = p.attributes;
  if (rawAttributes !== undefined && rawAttributes !== null && !isObject(rawAttributes)) {
    throw new DecodeError("position.attributes must be an object");
  }
  const attributes = copyAttributes(rawAttributes ?? {});
  // Model fields Fleetcore has no column for, kept beside the device's own attributes.
  const protocol = optString(p, "protocol", "position.protocol");
  if (protocol !== null) setAttribute(attributes, "protocol", protocol);
  const address = optString(p, "address", "position.address");
  if (address !== null) setAttribute(attributes, "address", address);
  const outdated = optBoolean(p, "outdated", "position.outdated");
  if (outdated !== null) setAttribute(attributes, "outdated", outdated);
  const deviceTime = optDate(p, "deviceTime", "position.deviceTime");
  if (deviceTime) setAttribute(attributes, "deviceTime", deviceTime.toISOString());
  const serverTime = optDate(p, "serverTime", "position.serverTime");
  if (serverTime) setAttribute(attributes, "serverTime", serverTime.toISOString());
  if (isObject(p.network)) setAttribute(attributes, "network", p.network);
  if (Array.isArray(p.geofenceIds)) setAttribute(attributes, "geofenceIds", p.geofenceIds);
  const traccarId = optNumber(p, "id", "position.id");
  if (traccarId !== null && traccarId !== 0) setAttribute(attributes, "traccarPositionId", traccarId);

  return {
    uniqueId,
    time,
    latitude,
    longitude,
    speedKph: speedKn === null || speedKn < 0 ? null : speedKn * KNOTS_TO_KPH,
    headingDeg: course === null ? null : ((course % 360) + 360) % 360,
    altitudeM: altitude,
    // Traccar leaves accuracy at 0.0 when the device reports none.
    accuracyM: accuracy === null || accuracy <= 0 ? null : accuracy,
    valid,
    attributes,
  };
}

function decodeEvent(e: JsonObject, geofence: unknown): TraccarForwardEvent {
  const type = optString(e, "type", "event.type");
  if (!type) throw new DecodeError("missing event.type");
  const time = optDate(e, "eventTime", "event.eventTime") ?? optDate(e, "serverTime", "event.serverTime");
  const rawAttributes = e.attributes;
  if (rawAttributes !== undefined && rawAttributes !== null && !isObject(rawAttributes)) {
    throw new DecodeError("event.attributes must be an object");
  }
  const attributes = copyAttributes(rawAttributes ?? {});
  if (isObject(geofence) && typeof geofence.name === "string") {
    setAttribute(attributes, "geofenceName", geofence.name);
  }
  const geofenceId = optNumber(e, "geofenceId", "event.geofenceId");
  return { type, time, attributes, geofenceId: geofenceId === null || geofenceId === 0 ? null : geofenceId };
}

/**
 * Decodes one Traccar JSON forwarding request body.
 *
 * Input: `{"position": Position?, "event": Event?, "device": Device, "geofence"?: Geofence, …}` where
 * - `device.uniqueId` (string, required) → `device.uniqueId` and the position's `uniqueId`; `device.name`
 *   → `device.name`.
 * - `position` (Traccar `Position`): `fixTime` → `time`; `latitude`/`longitude` degrees; `speed` in KNOTS →
 *   `speedKph` (× KNOTS_TO_KPH; negative → null); `course` → `headingDeg` in [0, 360); `altitude` m →
 *   `altitudeM`; `accuracy` m → `accuracyM` (Traccar's 0 = not reported → null); `valid` → `valid`;
 *   `attributes` (ignition, batteryLevel, motion, odometer…) copied into `attributes`, plus the model's
 *   `protocol`, `address`, `outdated`, `deviceTime`/`serverTime` (ISO strings), `network`, `geofenceIds`
 *   and `id` (as `traccarPositionId`).
 * - `event` (Traccar `Event`): `type` (required), `eventTime` (or Traccar 4's `serverTime`) → `time`,
 *   `attributes`, `geofenceId` (0 → null); a forwarded `geofence.name` → `attributes.geofenceName`.
 * A `position`/`event` that is null or absent decodes to null.
 *
 * @throws DecodeError when the body is not an object, `device.uniqueId` is missing, the body has neither
 *   `position` nor `event`, or a field is missing or of the wrong type (the message names its path).
 */
export function decodeTraccarForward(body: unknown): TraccarForward {
  if (!isObject(body)) throw new DecodeError("body must be a JSON object");
  const device = body.device;
  if (!isObject(device)) throw new DecodeError("missing device (Traccar forwarding always sends it)");
  const uniqueId = optString(device, "uniqueId", "device.uniqueId")?.trim();
  if (!uniqueId) throw new DecodeError("missing device.uniqueId");
  const name = optString(device, "name", "device.name");

  const rawPosition = body.position ?? null;
  const rawEvent = body.event ?? null;
  if (rawPosition === null && rawEvent === null) throw new DecodeError("body has neither position nor event");
  if (rawPosition !== null && !isObject(rawPosition)) throw new DecodeError("position must be an object");
  if (rawEvent !== null && !isObject(rawEvent)) throw new DecodeError("event must be an object");

  return {
    position: rawPosition ? decodePosition(rawPosition, uniqueId) : null,
    event: rawEvent ? decodeEvent(rawEvent, body.geofence) : null,
    device: name !== null ? { uniqueId, name } : { uniqueId },
  };
}

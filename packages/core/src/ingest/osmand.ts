/**
 * The OsmAnd protocol as Traccar Client (and OsmAnd, GPSLogger, Home Assistant…) speaks it: HTTP query or
 * form parameters, or, from Traccar Client 9, a JSON body in the Transistorsoft background-geolocation format.
 *
 * Semantics follow Traccar's `src/main/java/org/traccar/protocol/OsmAndProtocolDecoder.java` (2013–2025,
 * `decodeQuery` and `decodeJson`) and its test `OsmAndProtocolDecoderTest.java`, plus the protocol page
 * https://www.traccar.org/osmand/. Where Fleetcore differs (no "last known location" fallback, negative
 * values meaning "unknown", battery rounding, extras) the function docs say so.
 *
 * Pure: no database, no HTTP framework. zod is not a dependency of this package (schemas live in
 * @fleetcore/validators), so the JSON body is checked by the small readers below; each error names the
 * field path.
 */
import { isObject, optBoolean, optNumber, optObject, optString, setAttribute } from "./json";
import { type DecodedPosition, DecodeError, KNOTS_TO_KPH, MPS_TO_KPH } from "./types";
import { normaliseHeading } from "./validate";

/** Java's `Integer.MAX_VALUE`: Traccar treats an integer timestamp below it as seconds, otherwise ms. */
const JAVA_INT_MAX = 2_147_483_647;

/** A plain decimal number, the whole value (what a device means by "numeric"; no NaN, Infinity, hex). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i;
const TRACCAR_SPACE_FORM = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses an ISO 8601 date-time (`2016-01-27T18:55:47Z`, `…47.862Z`, `…47+02:00`, `…47+0200`); one without
 * a zone designator is taken as UTC (never the server's local zone). Returns null when `value` is not
 * such a date-time or names an impossible calendar date (month 13, 31 February…).
 */
export function parseIso8601Utc(value: string): Date | null {
  const m = ISO_8601.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, "0")) : 0;
  const date = utcDate(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (!date) return null;
  if (zulu || !sign) return date;
  const offsetMin = Number(oh) * 60 + Number(om ?? 0);
  if (Number(oh) > 23 || Number(om ?? 0) > 59) return null;
  return new Date(date.getTime() - (sign === "+" ? 1 : -1) * offsetMin * 60_000);
}

/** A UTC date from calendar fields, or null when a field is out of range (no silent roll-over). */
function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date | null {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  const ok =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return ok ? date : null;
}

/**
 * Traccar's OsmAnd `timestamp`: an integer is Unix seconds when below 2^31−1 (Java `Integer.MAX_VALUE`),
 * otherwise Unix milliseconds; a value containing "T" is ISO 8601; anything else must be
 * "yyyy-MM-dd HH:mm:ss", read as UTC.
 */
function parseOsmAndTimestamp(value: string): Date {
  let date: Date | null;
  if (INTEGER.test(value)) {
    const n = Number(value);
    date = new Date(n < JAVA_INT_MAX ? n * 1000 : n);
  } else if (value.includes("T")) {
    date = parseIso8601Utc(value);
  } else {
    const m = TRACCAR_SPACE_FORM.exec(value);
    date = m ? utcDate(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0) : null;
  }
  if (!date || Number.isNaN(date.getTime())) {
    throw new DecodeError(
      `invalid timestamp "${value}": expected Unix seconds, Unix milliseconds, ISO 8601 or "yyyy-MM-dd HH:mm:ss" (UTC)`,
    );
  }
  return date;
}

function parseDecimal(name: string, value: string): number {
  const v = value.trim();
  if (!DECIMAL.test(v)) throw new DecodeError(`invalid ${name}: "${value}" is not a number`);
  const n = Number(v);
  if (!Number.isFinite(n)) throw new DecodeError(`invalid ${name}: "${value}" is not a finite number`);
  return n;
}

function parseInteger(name: string, value: string): number {
  const v = value.trim();
  if (!INTEGER.test(v)) throw new DecodeError(`invalid ${name}: "${value}" is not an integer`);
  return Number(v);
}

function checkLatitude(name: string, lat: number): number {
  if (lat < -90 || lat > 90) throw new DecodeError(`invalid ${name}: ${lat} is outside [-90, 90]`);
  return lat;
}

function checkLongitude(name: string, lon: number): number {
  if (lon < -180 || lon > 180) throw new DecodeError(`invalid ${name}: ${lon} is outside [-180, 180]`);
  return lon;
}

/**
 * Decodes one OsmAnd position from HTTP query (GET) or form (POST `application/x-www-form-urlencoded`)
 * parameters, as Traccar Client and compatible apps send them, e.g.
 * `?id=123456&timestamp=1377177267&lat=60.0&lon=30.0&speed=0.0&bearing=0.0&altitude=0&hdop=0.0&batt=87`.
 *
 * Parameters (Traccar `OsmAndProtocolDecoder.decodeQuery`; names are case-sensitive; when one repeats, the
 * last value wins, except `cell`/`wifi`, which accumulate):
 * - `id` or `deviceid` → `uniqueId` (required).
 * - `lat` + `lon`, or `location=lat,lon` → WGS 84 degrees (required; Traccar would reuse the device's last
 *   location instead, a decoder without a database cannot).
 * - `timestamp` → `time`: integer < 2^31−1 is Unix seconds, a larger integer Unix milliseconds, a value
 *   containing "T" ISO 8601 (no zone = UTC), else "yyyy-MM-dd HH:mm:ss" in UTC. Absent → now (server
 *   time, as Traccar).
 * - `speed` in knots → `speedKph` (× KNOTS_TO_KPH); a negative speed → null (unknown).
 * - `bearing` or `heading` → `headingDeg`, normalised into [0, 360).
 * - `altitude` (m) → `altitudeM`; `accuracy` (m) → `accuracyM` (negative → null).
 * - `valid` → `valid` (true for "true" in any case or "1"; default true, as Traccar).
 * - `hdop` → `attributes.hdop` (number); `batt` → `attributes.batteryLevel` (number, percent);
 *   `driverUniqueId` → `attributes.driverUniqueId` (always a string); `charge` → `attributes.charge`
 *   (true only for "true", as Java's `Boolean.parseBoolean`).
 * - `cell=mcc,mnc,lac,cellId[,signal]` and `wifi=mac,signal` → `attributes.network.cellTowers[]` /
 *   `.wifiAccessPoints[]`, with Traccar's `CellTower`/`WifiAccessPoint` field names.
 * - Anything else → `attributes[name]`: a number when the whole value is a decimal number, a boolean for
 *   exactly "true"/"false", otherwise the string (e.g. `ignition=true&rpm=933&alarm=sos`).
 *
 * @throws DecodeError for a missing device id, missing or non-numeric/out-of-range coordinates, an
 *   unparseable timestamp, or a non-numeric value in a numeric parameter (the message names the parameter).
 */
export function decodeOsmAndQuery(params: URLSearchParams | Record<string, string>): DecodedPosition {
  const entries: Array<[string, string]> =
    params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);

  let uniqueId: string | null = null;
  let time: Date | null = null;
  let latitude: number | null = null;
  let longitude: number | null = null;
  let speedKph: number | null = null;
  let headingDeg: number | null = null;
  let altitudeM: number | null = null;
  let accuracyM: number | null = null;
  let valid = true;
  const attributes: Record<string, unknown> = {};
  const cellTowers: Array<Record<string, number>> = [];
  const wifiAccessPoints: Array<{ macAddress: string; signalStrength: number }> = [];

  for (const [key, value] of entries) {
    switch (key) {
      case "id":
      case "deviceid":
        uniqueId = value.trim() || null;
        break;
      case "valid":
        valid = value.toLowerCase() === "true" || value === "1";
        break;
      case "timestamp":
        time = parseOsmAndTimestamp(value);
        break;
      case "lat":
        latitude = checkLatitude("lat", parseDecimal("lat", value));
        break;
      case "lon":
        longitude = checkLongitude("lon", parseDecimal("lon", value));
        break;
      case "location": {
        const parts = value.split(",");
        if (parts.length !== 2) throw new DecodeError(`invalid location: "${value}" is not "lat,lon"`);
        latitude = checkLatitude("location", parseDecimal("location", parts[0] ?? ""));
        longitude = checkLongitude("location", parseDecimal("location", parts[1] ?? ""));
        break;
      }
      case "cell": {
        const parts = value.split(",");
        if (parts.length < 4) throw new DecodeError(`invalid cell: "${value}" is not "mcc,mnc,lac,cellId[,signal]"`);
        const [mcc, mnc, lac, cid, signal] = parts.map((p) => parseInteger("cell", p));
        const tower: Record<string, number> = {
          mobileCountryCode: mcc ?? 0,
          mobileNetworkCode: mnc ?? 0,
          locationAreaCode: lac ?? 0,
          cellId: cid ?? 0,
        };
        if (signal !== undefined) tower.signalStrength = signal;
        cellTowers.push(tower);
        break;
      }
      case "wifi": {
        const [mac, signal] = value.split(",");
        if (!mac || signal === undefined) throw new DecodeError(`invalid wifi: "${value}" is not "mac,signal"`);
        wifiAccessPoints.push({ macAddress: mac.replaceAll("-", ":"), signalStrength: parseInteger("wifi", signal) });
        break;
      }
      case "speed": {
        const knots = parseDecimal("speed", value);
        speedKph = knots < 0 ? null : knots * KNOTS_TO_KPH;
        break;
      }
      case "bearing":
      case "heading":
        headingDeg = normaliseHeading(parseDecimal(key, value));
        break;
      case "altitude":
        altitudeM = parseDecimal("altitude", value);
        break;
      case "accuracy": {
        const m = parseDecimal("accuracy", value);
        accuracyM = m < 0 ? null : m;
        break;
      }
      case "hdop":
        setAttribute(attributes, "hdop", parseDecimal("hdop", value));
        break;
      case "batt":
        setAttribute(attributes, "batteryLevel", parseDecimal("batt", value));
        break;
      case "driverUniqueId":
        setAttribute(attributes, "driverUniqueId", value);
        break;
      case "charge":
        setAttribute(attributes, "charge", value.toLowerCase() === "true");
        break;
      default:
        setAttribute(attributes, key, parseAttributeValue(value));
    }
  }

  if (cellTowers.length > 0 || wifiAccessPoints.length > 0) {
    const network: Record<string, unknown> = {};
    if (cellTowers.length > 0) network.cellTowers = cellTowers;
    if (wifiAccessPoints.length > 0) network.wifiAccessPoints = wifiAccessPoints;
    setAttribute(attributes, "network", network);
  }

  if (uniqueId === null) throw new DecodeError("missing device id (id or deviceid)");
  if (latitude === null) throw new DecodeError("missing lat (or location=lat,lon)");
  if (longitude === null) throw new DecodeError("missing lon (or location=lat,lon)");

  return {
    uniqueId,
    time: time ?? new Date(),
    latitude,
    longitude,
    speedKph,
    headingDeg,
    altitudeM,
    accuracyM,
    valid,
    attributes,
  };
}

/** Traccar's default branch: a number if the whole value parses as one, "true"/"false" as booleans, else text. */
function parseAttributeValue(value: string): unknown {
  const v = value.trim();
  if (DECIMAL.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// JSON body

/**
 * Decodes the JSON body Traccar Client ≥ 9 POSTs (`Content-Type: application/json`), the native format of
 * the Transistorsoft background-geolocation SDK:
 *
 * ```json
 * {"location": {"timestamp": "2025-06-15T13:45:12.862Z",
 *               "coords": {"latitude": 37.42, "longitude": -122.08, "accuracy": 5, "speed": 0,
 *                          "heading": -1, "altitude": 5},
 *               "is_moving": false, "odometer": 0, "event": "motionchange",
 *               "battery": {"level": 0.79, "is_charging": false}, "activity": {"type": "still"},
 *               "extras": {}},
 *  "device_id": "48241179"}
 * ```
 *
 * Mapping (Traccar `OsmAndProtocolDecoder.decodeJson`, https://www.traccar.org/osmand/):
 * - `device_id` (string, or a number taken as its decimal text) → `uniqueId` (required).
 * - `location.timestamp` (ISO 8601, required) → `time`.
 * - `location.coords` (required; Traccar would fall back to the last location): `latitude`/`longitude`
 *   degrees (required); `speed` m/s → `speedKph` (× MPS_TO_KPH); `heading` degrees → `headingDeg`;
 *   `accuracy` m → `accuracyM`; `altitude` m → `altitudeM`. A negative speed, heading or accuracy is the
 *   SDK's "unknown" → null. `valid` is true, as Traccar sets it whenever coords are present.
 * - `is_moving` → `attributes.motion`; `odometer` (metres) → `attributes.odometerM`; `event` →
 *   `attributes.event`; `mock` → `attributes.mock`; `activity.type` → `attributes.activity`;
 *   `battery.level` (fraction 0–1; −1 = unknown, skipped) → `attributes.batteryLevel` in percent, rounded
 *   (Traccar truncates, which turns 0.29 into 28); `battery.is_charging` → `attributes.charge`;
 *   `alarm` (or `extras.alarm`) → `attributes.alarm`.
 * - `extras` (object) is merged into `attributes` (Traccar keeps only `extras.alarm`); the named fields
 *   above win over an extra of the same name.
 *
 * `location` must be one object: Traccar reads `root.getJsonObject("location")`, so the SDK's batched form
 * (an array of locations) is not accepted by Traccar either and is rejected here.
 *
 * @throws DecodeError naming the field path (`device_id`, `location.coords.latitude`, …) when a required
 *   field is missing or any field has the wrong type or an impossible value.
 */
export function decodeOsmAndJson(body: unknown): DecodedPosition {
  if (!isObject(body)) throw new DecodeError("body must be a JSON object");

  const rawId = body.device_id;
  let uniqueId: string | null = null;
  if (typeof rawId === "string") uniqueId = rawId.trim() || null;
  else if (typeof rawId === "number" && Number.isFinite(rawId)) uniqueId = String(rawId);
  else if (rawId !== undefined && rawId !== null) throw new DecodeError("device_id must be a string");
  if (uniqueId === null) throw new DecodeError("missing device_id");

  if (Array.isArray(body.location)) {
    throw new DecodeError("location must be one object; batched location arrays are not supported");
  }
  const location = optObject(body, "location", "location");
  if (!location) throw new DecodeError("missing location");

  const timestamp = optString(location, "timestamp", "location.timestamp");
  if (timestamp === null) throw new DecodeError("missing location.timestamp");
  const time = parseIso8601Utc(timestamp);
  if (!time) throw new DecodeError(`invalid location.timestamp "${timestamp}": expected ISO 8601`);

  const coords = optObject(location, "coords", "location.coords");
  if (!coords) throw new DecodeError("missing location.coords");
  const latitude = optNumber(coords, "latitude", "location.coords.latitude");
  if (latitude === null) throw new DecodeError("missing location.coords.latitude");
  const longitude = optNumber(coords, "longitude", "location.coords.longitude");
  if (longitude === null) throw new DecodeError("missing location.coords.longitude");
  checkLatitude("location.coords.latitude", latitude);
  checkLongitude("location.coords.longitude", longitude);
  const speedMps = optNumber(coords, "speed", "location.coords.speed");
  const heading = optNumber(coords, "heading", "location.coords.heading");
  const accuracy = optNumber(coords, "accuracy", "location.coords.accuracy");
  const altitude = optNumber(coords, "altitude", "location.coords.altitude");

  const attributes: Record<string, unknown> = {};
  const extras = optObject(location, "extras", "location.extras");
  if (extras) for (const [k, v] of Object.entries(extras)) setAttribute(attributes, k, v);

  const event = optString(location, "event", "location.event");
  if (event !== null) setAttribute(attributes, "event", event);
  const moving = optBoolean(location, "is_moving", "location.is_moving");
  if (moving !== null) setAttribute(attributes, "motion", moving);
  const odometer = optNumber(location, "odometer", "location.odometer");
  if (odometer !== null) setAttribute(attributes, "odometerM", odometer);
  const mock = optBoolean(location, "mock", "location.mock");
  if (mock !== null) setAttribute(attributes, "mock", mock);
  const activity = optObject(location, "activity", "location.activity");
  if (activity) {
    const type = optString(activity, "type", "location.activity.type");
    if (type !== null) setAttribute(attributes, "activity", type);
  }
  const battery = optObject(location, "battery", "location.battery");
  if (battery) {
    const level = optNumber(battery, "level", "location.battery.level");
    if (level !== null && level >= 0) setAttribute(attributes, "batteryLevel", Math.round(level * 100));
    const charging = optBoolean(battery, "is_charging", "location.battery.is_charging");
    if (charging !== null) setAttribute(attributes, "charge", charging);
  }
  const alarm = optString(location, "alarm", "location.alarm");
  if (alarm !== null) setAttribute(attributes, "alarm", alarm);

  return {
    uniqueId,
    time,
    latitude,
    longitude,
    speedKph: speedMps === null || speedMps < 0 ? null : speedMps * MPS_TO_KPH,
    headingDeg: heading === null || heading < 0 ? null : normaliseHeading(heading),
    altitudeM: altitude,
    accuracyM: accuracy === null || accuracy < 0 ? null : accuracy,
    valid: true,
    attributes,
  };
}

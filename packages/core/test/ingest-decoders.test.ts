/**
 * OsmAnd (query and JSON) and Traccar-forwarding decoders. Pure unit tests; the request samples marked
 * "Traccar test" are copied from traccar/traccar `src/test/java/org/traccar/protocol/OsmAndProtocolDecoderTest.java`.
 */
import { describe, expect, it } from "vitest";
import { decodeOsmAndJson, decodeOsmAndQuery, parseIso8601Utc } from "../src/ingest/osmand";
import { decodeTraccarForward } from "../src/ingest/traccar";
import { DecodeError, KNOTS_TO_KPH, MPS_TO_KPH } from "../src/ingest/types";

/** The query of a request line such as Traccar's tests use (`/?id=…&lat=…`). */
function query(uri: string): URLSearchParams {
  return new URLSearchParams(uri.slice(uri.indexOf("?") + 1));
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

describe("decodeOsmAndQuery: Traccar test requests", () => {
  it("ISO 8601 timestamp with hdop, altitude and speed", () => {
    const p = decodeOsmAndQuery(
      query(
        "/?id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0",
      ),
    );
    expect(p).toEqual({
      uniqueId: "902064",
      time: new Date("2016-01-27T18:55:47Z"),
      latitude: 42.06288,
      longitude: -88.23412,
      speedKph: 0,
      headingDeg: null,
      altitudeM: 224,
      accuracyM: null,
      valid: true,
      attributes: { hdop: 6 },
    });
  });

  it("Unix milliseconds timestamp", () => {
    const p = decodeOsmAndQuery(
      query("/?id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0"),
    );
    expect(p.time).toEqual(new Date(1442068686579));
  });

  it('"yyyy-MM-dd HH:mm:ss" timestamp (form-encoded space), read as UTC; id last', () => {
    const p = decodeOsmAndQuery(
      query("/?lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0&id=353861053849681"),
    );
    expect(p.uniqueId).toBe("353861053849681");
    expect(p.time).toEqual(new Date("2014-06-04T09:10:11Z"));
    expect(p.altitudeM).toBe(384.7);
  });

  it("Unix seconds timestamp with bearing and zero hdop", () => {
    const p = decodeOsmAndQuery(
      query("/?id=123456&timestamp=1377177267&lat=60.0&lon=30.0&speed=0.0&bearing=0.0&altitude=0&hdop=0.0"),
    );
    expect(p.time).toEqual(new Date(1377177267 * 1000));
    expect(p).toMatchObject({ latitude: 60, longitude: 30, headingDeg: 0, altitudeM: 0, attributes: { hdop: 0 } });
  });

  it("minimal id, timestamp, lat, lon", () => {
    const p = decodeOsmAndQuery(query("/?id=123456&timestamp=1377177267&lat=60.0&lon=30.0"));
    expect(p).toMatchObject({ uniqueId: "123456", latitude: 60, longitude: 30, speedKph: null, attributes: {} });
  });

  it("deviceid, heading, unknown vacc/hacc kept as numbers, no timestamp → now", () => {
    const before = Date.now();
    const p = decodeOsmAndQuery(
      query("/?lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123456"),
    );
    const after = Date.now();
    expect(p.uniqueId).toBe("123456");
    expect(p.headingDeg).toBe(0);
    expect(p.attributes).toEqual({ vacc: 0, hacc: 0 });
    expect(p.time.getTime()).toBeGreaterThanOrEqual(before);
    expect(p.time.getTime()).toBeLessThanOrEqual(after);
  });

  it("batt → attributes.batteryLevel", () => {
    const p = decodeOsmAndQuery(
      query("/?id=861001000719969&lat=41.666667&lon=-0.883333&altitude=350.059479&speed=0.000000&batt=87"),
    );
    expect(p).toMatchObject({ latitude: 41.666667, longitude: -0.883333, altitudeM: 350.059479 });
    expect(p.attributes).toEqual({ batteryLevel: 87 });
  });

  it("location=lat,lon", () => {
    const p = decodeOsmAndQuery(query("/?id=123456&timestamp=1377177267&location=60.0,30.0"));
    expect(p).toMatchObject({ latitude: 60, longitude: 30 });
  });

  it("speed in knots → km/h; ignition/rpm/fuel kept as typed attributes", () => {
    const p = decodeOsmAndQuery(
      query(
        "/?id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24",
      ),
    );
    expect(p.speedKph).toBeCloseTo(40 * 1.852, 10);
    expect(p.speedKph).toBe(40 * KNOTS_TO_KPH);
    expect(p.headingDeg).toBe(7.19889788244);
    expect(p.time).toEqual(new Date("2017-09-07T05:56:50Z"));
    expect(p.attributes).toEqual({ ignition: true, rpm: 933, fuel: 24 });
  });

  it("cell and wifi (Traccar test, which has no coordinates) → attributes.network; coordinates still required", () => {
    const uri =
      "/?id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90&wifi=00-14-22-01-23-45,-80&wifi=00-1C-B3-09-85-15,-70";
    // Traccar falls back to the device's last location here; a pure decoder cannot.
    expect(decodeError(() => decodeOsmAndQuery(query(uri))).message).toBe("missing lat (or location=lat,lon)");
    const p = decodeOsmAndQuery(query(`${uri}&lat=53.9&lon=27.56`));
    expect(p.attributes.network).toEqual({
      cellTowers: [
        { mobileCountryCode: 257, mobileNetworkCode: 2, locationAreaCode: 16, cellId: 2224 },
        { mobileCountryCode: 257, mobileNetworkCode: 2, locationAreaCode: 16, cellId: 2223, signalStrength: -90 },
      ],
      wifiAccessPoints: [
        { macAddress: "00:14:22:01:23:45", signalStrength: -80 },
        { macAddress: "00:1C:B3:09:85:15", signalStrength: -70 },
      ],
    });
  });

  it("no id (Traccar test answers 400) → DecodeError", () => {
    expect(decodeError(() => decodeOsmAndQuery(query("/?timestamp=1377177267&lat=60.0&lon=30.0"))).message).toBe(
      "missing device id (id or deviceid)",
    );
  });
});

describe("decodeOsmAndQuery: timestamps", () => {
  const at = (timestamp: string) => decodeOsmAndQuery({ id: "1", lat: "1", lon: "2", timestamp }).time;

  it("tells seconds from milliseconds at Java's Integer.MAX_VALUE, as Traccar", () => {
    expect(at("1700000000")).toEqual(new Date(1_700_000_000_000));
    expect(at("1700000000000")).toEqual(new Date(1_700_000_000_000));
    expect(at("2147483646")).toEqual(new Date(2_147_483_646_000));
    expect(at("2147483647")).toEqual(new Date(2_147_483_647)); // not below MAX_VALUE → milliseconds
    expect(at("0")).toEqual(new Date(0));
  });

  it("ISO 8601 with fraction, offsets, and without zone (UTC)", () => {
    expect(at("2025-06-15T13:45:12.862Z")).toEqual(new Date(Date.UTC(2025, 5, 15, 13, 45, 12, 862)));
    expect(at("2025-06-15T15:45:12+02:00")).toEqual(new Date("2025-06-15T13:45:12Z"));
    expect(at("2025-06-15T08:45:12-0500")).toEqual(new Date("2025-06-15T13:45:12Z"));
    expect(at("2025-06-15T13:45:12")).toEqual(new Date("2025-06-15T13:45:12Z"));
    expect(at("2025-06-15T13:45")).toEqual(new Date("2025-06-15T13:45:00Z"));
  });

  it('"yyyy-MM-dd HH:mm:ss" as UTC', () => {
    expect(at("2014-06-04 09:10:11")).toEqual(new Date("2014-06-04T09:10:11Z"));
  });

  it.each([
    "yesterday",
    "1377177267.5",
    "2014-06-04",
    "2014-02-30 10:00:00",
    "2014-06-04T25:00:00Z",
    "2014-13-01T00:00:00Z",
    "",
  ])("rejects %j", (timestamp) => {
    const err = decodeError(() => at(timestamp));
    expect(err.message).toContain("invalid timestamp");
  });

  it("parseIso8601Utc returns null for non-ISO text", () => {
    expect(parseIso8601Utc("2014-06-04 09:10:11")).toBeNull();
    expect(parseIso8601Utc("2014-06-04T09:10:11+25:00")).toBeNull();
  });
});

describe("decodeOsmAndQuery: fields and attributes", () => {
  it("accepts a plain record; accuracy, valid, charge, driverUniqueId", () => {
    const p = decodeOsmAndQuery({
      id: "abc",
      lat: "-33.8688",
      lon: "151.2093",
      accuracy: "12.5",
      valid: "false",
      charge: "TRUE",
      driverUniqueId: "007",
    });
    expect(p).toMatchObject({ uniqueId: "abc", accuracyM: 12.5, valid: false });
    expect(p.attributes).toEqual({ charge: true, driverUniqueId: "007" });
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["false", false],
    ["0", false],
    ["yes", false],
  ])("valid=%s → %s", (value, expected) => {
    expect(decodeOsmAndQuery({ id: "1", lat: "1", lon: "2", valid: value }).valid).toBe(expected);
  });

  it("keeps unknown parameters: whole-value numbers as numbers, true/false as booleans, the rest as text", () => {
    const p = decodeOsmAndQuery(
      query(
        "/?id=1&lat=1&lon=2&alarm=sos&odometer=1234.5&temp=-3&exp=1e3&blocked=false&note=12abc&code=0x10&mode=True",
      ),
    );
    expect(p.attributes).toEqual({
      alarm: "sos",
      odometer: 1234.5,
      temp: -3,
      exp: 1000,
      blocked: false,
      note: "12abc",
      code: "0x10",
      mode: "True",
    });
  });

  it("a __proto__ parameter is stored as data, not as the attributes' prototype", () => {
    const p = decodeOsmAndQuery(query("/?id=1&lat=1&lon=2&__proto__=x"));
    expect(Object.getPrototypeOf(p.attributes)).toBe(Object.prototype);
    expect(Object.keys(p.attributes)).toEqual(["__proto__"]);
  });

  it("normalises heading into [0, 360) and treats negative speed/accuracy as unknown", () => {
    const p = decodeOsmAndQuery({ id: "1", lat: "1", lon: "2", bearing: "360", speed: "-1", accuracy: "-1" });
    expect(p).toMatchObject({ headingDeg: 0, speedKph: null, accuracyM: null });
    expect(decodeOsmAndQuery({ id: "1", lat: "1", lon: "2", heading: "-90" }).headingDeg).toBe(270);
  });

  it("the last of repeated parameters wins (id, lat)", () => {
    const p = decodeOsmAndQuery(query("/?id=a&deviceid=b&lat=1&lat=5&lon=2"));
    expect(p).toMatchObject({ uniqueId: "b", latitude: 5 });
  });
});

describe("decodeOsmAndQuery: errors", () => {
  it.each([
    [{ lat: "1", lon: "2" }, "missing device id (id or deviceid)"],
    [{ id: "", lat: "1", lon: "2" }, "missing device id (id or deviceid)"],
    [{ id: "1", lon: "2" }, "missing lat (or location=lat,lon)"],
    [{ id: "1", lat: "1" }, "missing lon (or location=lat,lon)"],
    [{ id: "1", lat: "north", lon: "2" }, 'invalid lat: "north" is not a number'],
    [{ id: "1", lat: "1", lon: "" }, 'invalid lon: "" is not a number'],
    [{ id: "1", lat: "91", lon: "2" }, "invalid lat: 91 is outside [-90, 90]"],
    [{ id: "1", lat: "1", lon: "-180.5" }, "invalid lon: -180.5 is outside [-180, 180]"],
    [{ id: "1", location: "60.0" }, 'invalid location: "60.0" is not "lat,lon"'],
    [{ id: "1", location: "60.0,abc" }, 'invalid location: "abc" is not a number'],
    [{ id: "1", location: "95,30" }, "invalid location: 95 is outside [-90, 90]"],
    [{ id: "1", lat: "1", lon: "2", speed: "fast" }, 'invalid speed: "fast" is not a number'],
    [{ id: "1", lat: "1", lon: "2", bearing: "N" }, 'invalid bearing: "N" is not a number'],
    [{ id: "1", lat: "1", lon: "2", altitude: "high" }, 'invalid altitude: "high" is not a number'],
    [{ id: "1", lat: "1", lon: "2", accuracy: "good" }, 'invalid accuracy: "good" is not a number'],
    [{ id: "1", lat: "1", lon: "2", hdop: "x" }, 'invalid hdop: "x" is not a number'],
    [{ id: "1", lat: "1", lon: "2", batt: "full" }, 'invalid batt: "full" is not a number'],
    [{ id: "1", lat: "1", lon: "2", cell: "257,02" }, 'invalid cell: "257,02" is not "mcc,mnc,lac,cellId[,signal]"'],
    [{ id: "1", lat: "1", lon: "2", cell: "257,02,16,x" }, 'invalid cell: "x" is not an integer'],
    [
      { id: "1", lat: "1", lon: "2", wifi: "00-14-22-01-23-45" },
      'invalid wifi: "00-14-22-01-23-45" is not "mac,signal"',
    ],
    [{ id: "1", lat: "1", lon: "2", timestamp: "soon" }, "invalid timestamp"],
  ])("%j → %s", (params, message) => {
    expect(decodeError(() => decodeOsmAndQuery(params)).message).toContain(message);
  });
});

describe("decodeOsmAndJson: Traccar test bodies", () => {
  it("motionchange with heading −1, battery 1, empty extras", () => {
    const p = decodeOsmAndJson(
      JSON.parse(
        '{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}',
      ),
    );
    expect(p).toEqual({
      uniqueId: "48241179",
      time: new Date("2025-06-15T13:45:12.862Z"),
      latitude: 37.4219983,
      longitude: -122.084,
      speedKph: 0,
      headingDeg: null,
      altitudeM: 5,
      accuracyM: 5,
      valid: true,
      attributes: {
        event: "motionchange",
        motion: false,
        odometerM: 0,
        activity: "still",
        batteryLevel: 100,
        charge: false,
      },
    });
  });

  it("typed extras are merged into attributes", () => {
    const p = decodeOsmAndJson(
      JSON.parse(
        '{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{"device_string_test":"long_device_id","device_bool_test":true,"device_bool_false_test":false,"device_integer_test":1,"device_double_test":1.345,"device_very_long_double_test":1763636.3442},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}',
      ),
    );
    expect(p.attributes).toMatchObject({
      device_string_test: "long_device_id",
      device_bool_test: true,
      device_bool_false_test: false,
      device_integer_test: 1,
      device_double_test: 1.345,
      device_very_long_double_test: 1763636.3442,
      motion: false,
    });
  });

  it("iOS mock fix: speed −1 and heading −1 are unknown, battery level −1 is skipped", () => {
    const p = decodeOsmAndJson(
      JSON.parse(
        '{"location":{"extras":{},"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,"longitude":-122.406417,"ellipsoidal_altitude":0,"floor":null,"heading_accuracy":-1,"latitude":37.785834000000001,"accuracy":5,"altitude_accuracy":-1,"altitude":0,"heading":-1},"is_moving":false,"age":188,"odometer":0,"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange","battery":{"level":-1,"is_charging":false},"activity":{"type":"unknown","confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},"device_id":"658765"}',
      ),
    );
    expect(p).toMatchObject({
      uniqueId: "658765",
      time: new Date("2025-05-09T04:11:30.579Z"),
      latitude: 37.785834,
      longitude: -122.406417,
      speedKph: null,
      headingDeg: null,
      altitudeM: 0,
      accuracyM: 5,
    });
    expect(p.attributes).toEqual({
      event: "motionchange",
      motion: false,
      odometerM: 0,
      mock: true,
      activity: "unknown",
      charge: false,
    });
  });

  it("moving fix: speed m/s → km/h, battery fraction → percent", () => {
    const p = decodeOsmAndJson(
      JSON.parse(
        '{"location":{"event":"motionchange","is_moving":false,"uuid":"0e9a2473-a9a7-4c00-997b-fb97d2154e75","timestamp":"2021-07-21T08:06:34.444Z","odometer":0,"coords":{"latitude":-6.1148096,"longitude":106.6837015,"accuracy":3.8,"speed":18.67,"speed_accuracy":0.26,"heading":63,"heading_accuracy":0.28,"altitude":35.7,"altitude_accuracy":3.8},"activity":{"type":"still","confidence":100},"battery":{"is_charging":false,"level":0.79},"extras":{}},"device_id":"8737767034"}',
      ),
    );
    expect(p.uniqueId).toBe("8737767034");
    expect(p.speedKph).toBe(18.67 * MPS_TO_KPH);
    expect(p.speedKph).toBeCloseTo(67.212, 9);
    expect(p).toMatchObject({ headingDeg: 63, altitudeM: 35.7, accuracyM: 3.8, valid: true });
    expect(p.attributes.batteryLevel).toBe(79);
  });
});

describe("decodeOsmAndJson: other behaviour and errors", () => {
  const body = (location: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
    device_id: "dev-1",
    location: { timestamp: "2025-01-01T00:00:00Z", coords: { latitude: 1, longitude: 2 }, ...location },
    ...root,
  });

  it("a minimal body; numeric device_id; charging; alarm; named fields win over extras", () => {
    const p = decodeOsmAndJson(
      body(
        {
          battery: { level: 0.29, is_charging: true },
          alarm: "sos",
          extras: { motion: "x", route: 7 },
          is_moving: true,
        },
        { device_id: 42 },
      ),
    );
    expect(p).toMatchObject({ uniqueId: "42", speedKph: null, headingDeg: null, altitudeM: null, accuracyM: null });
    expect(p.attributes).toEqual({ motion: true, route: 7, batteryLevel: 29, charge: true, alarm: "sos" });
  });

  it("extras.alarm arrives as attributes.alarm", () => {
    expect(decodeOsmAndJson(body({ extras: { alarm: "sos" } })).attributes).toEqual({ alarm: "sos" });
  });

  it.each([
    [null, "body must be a JSON object"],
    [[], "body must be a JSON object"],
    [{ location: {} }, "missing device_id"],
    [{ device_id: "  ", location: {} }, "missing device_id"],
    [{ device_id: true, location: {} }, "device_id must be a string"],
    [{ device_id: "d" }, "missing location"],
    [{ device_id: "d", location: "here" }, "location must be an object"],
    [{ device_id: "d", location: [{}] }, "location must be one object; batched location arrays are not supported"],
    [{ device_id: "d", location: { coords: {} } }, "missing location.timestamp"],
    [{ device_id: "d", location: { timestamp: 1 } }, "location.timestamp must be a string"],
    [{ device_id: "d", location: { timestamp: "2025-13-01T00:00:00Z" } }, "invalid location.timestamp"],
    [{ device_id: "d", location: { timestamp: "2025-01-01T00:00:00Z" } }, "missing location.coords"],
  ])("%j → %s", (input, message) => {
    expect(decodeError(() => decodeOsmAndJson(input)).message).toContain(message);
  });

  it.each([
    [{ coords: { longitude: 2 } }, "missing location.coords.latitude"],
    [{ coords: { latitude: 1 } }, "missing location.coords.longitude"],
    [{ coords: { latitude: "1", longitude: 2 } }, "location.coords.latitude must be a number"],
    [{ coords: { latitude: 100, longitude: 2 } }, "invalid location.coords.latitude: 100 is outside [-90, 90]"],
    [{ coords: { latitude: 1, longitude: 200 } }, "invalid location.coords.longitude: 200 is outside [-180, 180]"],
    [{ coords: { latitude: 1, longitude: 2, speed: "3" } }, "location.coords.speed must be a number"],
    [{ coords: { latitude: 1, longitude: 2, heading: [] } }, "location.coords.heading must be a number"],
    [{ coords: { latitude: 1, longitude: 2, accuracy: "5" } }, "location.coords.accuracy must be a number"],
    [{ coords: { latitude: 1, longitude: 2, altitude: {} } }, "location.coords.altitude must be a number"],
    [{ is_moving: "yes" }, "location.is_moving must be a boolean"],
    [{ odometer: "12" }, "location.odometer must be a number"],
    [{ event: 5 }, "location.event must be a string"],
    [{ mock: 1 }, "location.mock must be a boolean"],
    [{ activity: "still" }, "location.activity must be an object"],
    [{ activity: { type: 1 } }, "location.activity.type must be a string"],
    [{ battery: 0.5 }, "location.battery must be an object"],
    [{ battery: { level: "50%" } }, "location.battery.level must be a number"],
    [{ battery: { is_charging: "no" } }, "location.battery.is_charging must be a boolean"],
    [{ extras: [] }, "location.extras must be an object"],
    [{ alarm: true }, "location.alarm must be a string"],
  ])("%j → %s", (location, message) => {
    expect(decodeError(() => decodeOsmAndJson(body(location))).message).toBe(message);
  });
});

describe("decodeTraccarForward", () => {
  // A position forwarding body built from Traccar's Position and Device models (PositionForwarderJson).
  const positionBody = {
    position: {
      id: 12345,
      attributes: { batteryLevel: 85, distance: 15.4, totalDistance: 12500.5, motion: true, ignition: true },
      deviceId: 10,
      protocol: "osmand",
      serverTime: "2024-05-20T14:30:00.000+00:00",
      deviceTime: "2024-05-20T14:29:55.000+00:00",
      fixTime: "2024-05-20T14:29:54.500+00:00",
      outdated: false,
      valid: true,
      latitude: -23.55052,
      longitude: -46.633308,
      altitude: 760.0,
      speed: 13.5,
      course: 180.0,
      address: null,
      accuracy: 0.0,
      network: null,
      geofenceIds: null,
    },
    device: {
      id: 10,
      attributes: {},
      groupId: 0,
      calendarId: 0,
      name: "Company Car 01",
      uniqueId: "123456789012345",
      status: "online",
      lastUpdate: "2024-05-20T14:30:00.000+00:00",
      positionId: 12345,
      phone: null,
      model: null,
      contact: null,
      category: "car",
      disabled: false,
      expirationTime: null,
    },
  };

  it("position forwarding: fixTime, knots → km/h, course, attributes and model fields", () => {
    const f = decodeTraccarForward(positionBody);
    expect(f.event).toBeNull();
    expect(f.device).toEqual({ uniqueId: "123456789012345", name: "Company Car 01" });
    expect(f.position).toEqual({
      uniqueId: "123456789012345",
      time: new Date("2024-05-20T14:29:54.500Z"),
      latitude: -23.55052,
      longitude: -46.633308,
      speedKph: 13.5 * KNOTS_TO_KPH,
      headingDeg: 180,
      altitudeM: 760,
      accuracyM: null,
      valid: true,
      attributes: {
        batteryLevel: 85,
        distance: 15.4,
        totalDistance: 12500.5,
        motion: true,
        ignition: true,
        protocol: "osmand",
        outdated: false,
        deviceTime: "2024-05-20T14:29:55.000Z",
        serverTime: "2024-05-20T14:30:00.000Z",
        traccarPositionId: 12345,
      },
    });
  });

  it("event forwarding without a position (body as Traccar sends a deviceOffline event)", () => {
    const f = decodeTraccarForward({
      event: {
        id: 43334,
        attributes: {},
        deviceId: 385,
        type: "deviceOffline",
        eventTime: "2024-05-10T10:45:34.984+00:00",
        positionId: 0,
        geofenceId: 0,
        maintenanceId: 0,
      },
      device: {
        id: 385,
        attributes: {},
        groupId: 0,
        calendarId: 0,
        name: "868618052108909",
        uniqueId: "868618052108909",
        status: "offline",
        lastUpdate: "2024-05-10T10:45:07.076+00:00",
        positionId: 0,
        phone: null,
        model: null,
        contact: null,
        category: null,
        disabled: false,
        expirationTime: null,
      },
    });
    expect(f).toEqual({
      position: null,
      event: { type: "deviceOffline", time: new Date("2024-05-10T10:45:34.984Z"), attributes: {}, geofenceId: null },
      device: { uniqueId: "868618052108909", name: "868618052108909" },
    });
  });

  it("geofence event with position and geofence", () => {
    const f = decodeTraccarForward({
      event: {
        type: "geofenceEnter",
        eventTime: "2024-05-20T14:30:01.000+00:00",
        attributes: { note: "x" },
        geofenceId: 7,
      },
      position: positionBody.position,
      device: { uniqueId: "123456789012345" },
      geofence: { id: 7, name: "Depot", area: "CIRCLE (-23.55 -46.63, 100)" },
    });
    expect(f.event).toEqual({
      type: "geofenceEnter",
      time: new Date("2024-05-20T14:30:01Z"),
      attributes: { note: "x", geofenceName: "Depot" },
      geofenceId: 7,
    });
    expect(f.position?.uniqueId).toBe("123456789012345");
    expect(f.device).toEqual({ uniqueId: "123456789012345" });
  });

  it("Traccar 4 event serverTime; missing eventTime → null time; negative course and speed", () => {
    expect(
      decodeTraccarForward({ event: { type: "alarm", serverTime: "2020-01-01T00:00:00Z" }, device: { uniqueId: "u" } })
        .event?.time,
    ).toEqual(new Date("2020-01-01T00:00:00Z"));
    expect(decodeTraccarForward({ event: { type: "alarm" }, device: { uniqueId: "u" } }).event?.time).toBeNull();
    const p = decodeTraccarForward({
      position: { fixTime: 1_700_000_000_000, latitude: 1, longitude: 2, course: -90, speed: -1, accuracy: 8 },
      device: { uniqueId: "u" },
    }).position;
    expect(p).toMatchObject({ time: new Date(1_700_000_000_000), headingDeg: 270, speedKph: null, accuracyM: 8 });
    expect(p?.valid).toBeNull();
  });

  const pos = { fixTime: "2024-05-20T14:29:55Z", latitude: 1, longitude: 2 };
  it.each([
    [null, "body must be a JSON object"],
    [{ position: pos }, "missing device (Traccar forwarding always sends it)"],
    [{ position: pos, device: {} }, "missing device.uniqueId"],
    [{ position: pos, device: { uniqueId: " " } }, "missing device.uniqueId"],
    [{ position: pos, device: { uniqueId: 5 } }, "device.uniqueId must be a string"],
    [{ position: pos, device: { uniqueId: "u", name: 5 } }, "device.name must be a string"],
    [{ device: { uniqueId: "u" } }, "body has neither position nor event"],
    [{ position: null, event: null, device: { uniqueId: "u" } }, "body has neither position nor event"],
    [{ position: [], device: { uniqueId: "u" } }, "position must be an object"],
    [{ event: "alarm", device: { uniqueId: "u" } }, "event must be an object"],
    [{ position: { ...pos, fixTime: undefined }, device: { uniqueId: "u" } }, "missing position.fixTime"],
    [{ position: { ...pos, fixTime: "May 20" }, device: { uniqueId: "u" } }, "position.fixTime must be an ISO 8601"],
    [{ position: { ...pos, latitude: undefined }, device: { uniqueId: "u" } }, "missing position.latitude"],
    [{ position: { ...pos, longitude: undefined }, device: { uniqueId: "u" } }, "missing position.longitude"],
    [{ position: { ...pos, latitude: 91 }, device: { uniqueId: "u" } }, "invalid position.latitude: 91"],
    [{ position: { ...pos, longitude: -181 }, device: { uniqueId: "u" } }, "invalid position.longitude: -181"],
    [{ position: { ...pos, speed: "1" }, device: { uniqueId: "u" } }, "position.speed must be a number"],
    [{ position: { ...pos, valid: "true" }, device: { uniqueId: "u" } }, "position.valid must be a boolean"],
    [{ position: { ...pos, attributes: [] }, device: { uniqueId: "u" } }, "position.attributes must be an object"],
    [{ event: {}, device: { uniqueId: "u" } }, "missing event.type"],
    [{ event: { type: "x", eventTime: "never" }, device: { uniqueId: "u" } }, "event.eventTime must be an ISO 8601"],
    [{ event: { type: "x", attributes: 1 }, device: { uniqueId: "u" } }, "event.attributes must be an object"],
    [{ event: { type: "x", geofenceId: "7" }, device: { uniqueId: "u" } }, "event.geofenceId must be a number"],
  ])("%j → %s", (input, message) => {
    expect(decodeError(() => decodeTraccarForward(input)).message).toContain(message);
  });
});

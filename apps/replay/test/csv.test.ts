import { describe, expect, it } from "vitest";
import { BAD_ROW_SAMPLES, parseReplayCsv } from "../src/csv";

const HEADER = "vehicle_id,timestamp,speed,route_id,trip_id,latitude,longitude,trip_headsign";

describe("parseReplayCsv", () => {
  it("parses a good row into a fix with epoch ms, m/s and degrees", async () => {
    const { fixes, rowCount, badRowCount } = await parseReplayCsv(
      `${HEADER}\n8940,2016-11-25T11:53:40-06:00,7.15264,1,1669591,30.421946,-97.665924,1-Metric/South Congress-SB\n`,
    );
    expect(rowCount).toBe(1);
    expect(badRowCount).toBe(0);
    expect(fixes).toEqual([
      {
        line: 2,
        vehicleId: "8940",
        timeMs: Date.parse("2016-11-25T17:53:40Z"),
        speedMps: 7.15264,
        latitude: 30.421946,
        longitude: -97.665924,
        routeId: "1",
        tripId: "1669591",
        tripHeadsign: "1-Metric/South Congress-SB",
      },
    ]);
  });

  it("keeps an empty speed and headsign as null", async () => {
    const { fixes } = await parseReplayCsv(`${HEADER}\n7,2016-11-25T11:53:40Z,,,,30.1,-97.1,\n`);
    expect(fixes[0]).toMatchObject({ speedMps: null, routeId: null, tripId: null, tripHeadsign: null });
  });

  it("counts bad rows with their line numbers and skips them without throwing", async () => {
    const csv = [
      HEADER,
      "1,2016-11-25T11:53:40-06:00,5,1,1,30.1,-97.1,ok", // line 2 good
      "2,not-a-time,5,1,1,30.1,-97.1,x", // 3
      "3,2016-11-25T11:53:40,5,1,1,30.1,-97.1,x", // 4: no offset
      "4,2016-11-25T11:53:40-06:00,fast,1,1,30.1,-97.1,x", // 5
      "5,2016-11-25T11:53:40-06:00,5,1,1,95,-97.1,x", // 6: latitude out of range
      "6,2016-11-25T11:53:40-06:00,5,1,1,30.1", // 7: short row
      ",2016-11-25T11:53:40-06:00,5,1,1,30.1,-97.1,x", // 8: no vehicle
      '7,2016-11-25T11:53:40-06:00,5,1,1,30.1,-97.1,"unterminated', // 9…: broken quoting eats the rest
    ].join("\n");
    const { fixes, rowCount, badRowCount, badRows } = await parseReplayCsv(`${csv}\n`);
    expect(fixes.map((f) => f.vehicleId)).toEqual(["1"]);
    expect(badRowCount).toBeGreaterThanOrEqual(6);
    expect(rowCount).toBe(1 + badRowCount);
    expect(badRows.slice(0, 6)).toEqual([
      { line: 3, reason: 'bad timestamp "not-a-time"' },
      { line: 4, reason: 'bad timestamp "2016-11-25T11:53:40"' },
      { line: 5, reason: 'bad speed "fast"' },
      { line: 6, reason: 'bad latitude "95"' },
      { line: 7, reason: "missing field(s) longitude" },
      { line: 8, reason: "missing vehicle_id" },
    ]);
  });

  it("keeps only the first 10 bad rows but counts all", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `${i},bad,1,1,1,30,-97,`);
    const { badRowCount, badRows } = await parseReplayCsv(`${HEADER}\n${rows.join("\n")}\n`);
    expect(badRowCount).toBe(25);
    expect(badRows).toHaveLength(BAD_ROW_SAMPLES);
    expect(badRows.map((b) => b.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("sorts rows grouped per vehicle into time order, ties in file order", async () => {
    const csv = [
      HEADER,
      "A,2016-11-25T10:00:00-06:00,1,1,1,30.1,-97.1,",
      "A,2016-11-25T10:02:00-06:00,1,1,1,30.2,-97.1,",
      "A,2016-11-25T10:04:00-06:00,1,1,1,30.3,-97.1,",
      "B,2016-11-25T09:59:00-06:00,1,1,1,30.1,-97.2,",
      "B,2016-11-25T10:02:00-06:00,1,1,1,30.2,-97.2,",
      "C,2016-11-25T16:01:00Z,1,1,1,30.2,-97.2,", // 10:01 at -06:00
    ].join("\n");
    const { fixes } = await parseReplayCsv(csv);
    expect(fixes.map((f) => `${f.vehicleId}@${f.line}`)).toEqual(["B@5", "A@2", "C@7", "A@3", "B@6", "A@4"]);
  });

  it("accepts columns in another order and a BOM; rejects a header without required columns", async () => {
    const { fixes } = await parseReplayCsv(
      "\uFEFFlatitude,longitude,vehicle_id,timestamp,speed\n30.5,-97.5,X,2016-11-25T10:00:00Z,2\n",
    );
    expect(fixes[0]).toMatchObject({ vehicleId: "X", latitude: 30.5, longitude: -97.5, speedMps: 2 });
    await expect(parseReplayCsv("a,b,c\n1,2,3\n")).rejects.toThrow(/lacks column/);
  });
});

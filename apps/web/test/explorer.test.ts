/**
 * The explorer's pure parts: the RFC 4180 CSV writer and export, and the view ↔ URL round trip with
 * its periods (local midnights across a DST change).
 */
import type { ExploreResult } from "@fleetcore/validators";
import { EXPLORER_METRICS } from "@fleetcore/validators";
import { describe, expect, it } from "vitest";
import { csvField, explorerCsv, toCsv } from "../src/components/explorer/csv";
import { parseView, resolvePeriod, viewToParams, zonedMidnight } from "../src/components/explorer/viewState";

describe("RFC 4180 CSV", () => {
  it("quotes only fields that need it and doubles inner quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField(1.5)).toBe("1.5");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField("")).toBe("");
  });

  it("ends every record with CRLF", () => {
    expect(
      toCsv([
        ["a", "b"],
        [1, null],
      ]),
    ).toBe("a,b\r\n1,\r\n");
  });

  it("exports an answer with units in the headers and the previous period", () => {
    const t0 = new Date("2030-03-29T23:00:00Z");
    const t1 = new Date("2030-03-30T23:00:00Z");
    const result: ExploreResult = {
      bucket: "day",
      timezone: "Europe/Paris",
      groupBy: "tenant",
      from: t0,
      to: new Date("2030-03-31T22:00:00Z"),
      series: [
        {
          metric: "fleet.distanceM",
          group: "x",
          groupLabel: 'Acme, "North"',
          points: [
            { t: t0, value: 1200 },
            { t: t1, value: 0 },
          ],
        },
        {
          metric: "support.csatAvg",
          group: "x",
          groupLabel: "Acme",
          points: [
            { t: t0, value: 4.5 },
            { t: t1, value: null },
          ],
        },
      ],
      previous: {
        from: new Date("2030-03-27T23:00:00Z"),
        to: t0,
        series: [
          {
            metric: "fleet.distanceM",
            group: "x",
            groupLabel: 'Acme, "North"',
            points: [
              { t: t0, value: 10 },
              { t: t1, value: 20 },
            ],
          },
        ],
      },
      totals: [],
    };
    expect(explorerCsv(result, EXPLORER_METRICS).split("\r\n")).toEqual([
      'bucket_start_utc,bucket_start_local (Europe/Paris),"Distance driven [m] | Acme, ""North""",CSAT [1–5] | Acme,"Distance driven [m] | Acme, ""North"" | previous period"',
      "2030-03-29T23:00:00.000Z,2030-03-30 00:00,1200,4.5,10",
      "2030-03-30T23:00:00.000Z,2030-03-31 00:00,0,,20",
      "",
    ]);
  });
});

describe("explorer view in the URL", () => {
  it("round-trips every setting", () => {
    const params = new URLSearchParams(
      "m=fleet.positions,support.ticketsOpen&g=segment&t=0b6f3c1e-2a4d-4e8f-9c1b-3d5e7f9a1b2c&r=custom&from=2030-03-01&to=2030-03-31&b=week&cmp=1&c=area&v=table&tz=Europe/Paris",
    );
    const view = parseView(params, "UTC");
    expect(view).toEqual({
      metrics: ["fleet.positions", "support.ticketsOpen"],
      groupBy: "segment",
      tenantIds: ["0b6f3c1e-2a4d-4e8f-9c1b-3d5e7f9a1b2c"],
      range: "custom",
      from: "2030-03-01",
      to: "2030-03-31",
      bucket: "week",
      compare: true,
      chart: "area",
      view: "table",
      timezone: "Europe/Paris",
    });
    expect(parseView(viewToParams(view), "UTC")).toEqual(view);
  });

  it("falls back to defaults for unknown values", () => {
    const view = parseView(new URLSearchParams("m=nope&g=planet&r=custom&b=year&c=pie&tz=Mars/Olympus"), "Asia/Tokyo");
    expect(view).toMatchObject({
      metrics: ["fleet.positions"],
      groupBy: "none",
      range: "30d",
      bucket: "auto",
      chart: "line",
      view: "chart",
      timezone: "Asia/Tokyo",
      compare: false,
    });
  });

  it("turns ranges into local midnights, across spring forward", () => {
    expect(zonedMidnight("2030-03-31", "Europe/Paris").toISOString()).toBe("2030-03-30T23:00:00.000Z");
    expect(zonedMidnight("2030-04-01", "Europe/Paris").toISOString()).toBe("2030-03-31T22:00:00.000Z");
    const custom = parseView(new URLSearchParams("r=custom&from=2030-03-30&to=2030-03-31&tz=Europe/Paris"), "UTC");
    const period = resolvePeriod(custom, new Date());
    expect([period.from.toISOString(), period.to.toISOString()]).toEqual([
      "2030-03-29T23:00:00.000Z",
      "2030-03-31T22:00:00.000Z",
    ]);
    // Last 7 days at 10:00 Paris on 2 April: 27 March 00:00 (CET) to 3 April 00:00 (CEST).
    const week = resolvePeriod(
      parseView(new URLSearchParams("r=7d&tz=Europe/Paris"), "UTC"),
      new Date("2030-04-02T08:00:00Z"),
    );
    expect([week.from.toISOString(), week.to.toISOString()]).toEqual([
      "2030-03-26T23:00:00.000Z",
      "2030-04-02T22:00:00.000Z",
    ]);
  });
});

/**
 * SLA arithmetic (core/support/sla.ts) on hand-worked examples: business hours across a weekend, a
 * holiday, both European daylight-saving changes (last Sundays of March and October), a calendar in
 * New York with ticket times in UTC, a 24/7 policy, the inverse property, and pause/resume.
 * Every expected instant below was worked out by hand from the calendar, not by the code under test.
 */
import { describe, expect, it } from "vitest";
import {
  addBusinessMinutes,
  addSlaMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  DomainError,
  pausedSlaMinutes,
  resumeResolutionDueAt,
  slaDueTimes,
  slaMinutesBetween,
  slaState,
} from "../src/index";

const PARIS: BusinessCalendar = {
  timezone: "Europe/Paris",
  workdays: [1, 2, 3, 4, 5],
  dayStart: "09:00",
  dayEnd: "18:00",
  holidays: [],
};
const NEW_YORK: BusinessCalendar = { ...PARIS, timezone: "America/New_York", dayEnd: "17:00" };
const at = (iso: string) => new Date(iso);

describe("addBusinessMinutes", () => {
  it("Friday 17:30 Paris + 4 business hours (09:00–18:00 Mon–Fri) is Monday 12:30 Paris", () => {
    // 2026-01-16 is a Friday; Paris is UTC+1 in January. 30 min on Friday, 3 h 30 on Monday.
    const due = addBusinessMinutes(at("2026-01-16T16:30:00Z"), 240, PARIS);
    expect(due.toISOString()).toBe("2026-01-19T11:30:00.000Z"); // Monday 12:30 CET
  });

  it("starts counting at the next opening when created outside business hours", () => {
    // Saturday 10:00 → Monday 09:00 + 60 min = Monday 10:00 CET.
    expect(addBusinessMinutes(at("2026-01-17T09:00:00Z"), 60, PARIS).toISOString()).toBe("2026-01-19T09:00:00.000Z");
    // Tuesday 07:00 local (before opening) + 30 min → Tuesday 09:30 CET.
    expect(addBusinessMinutes(at("2026-01-20T06:00:00Z"), 30, PARIS).toISOString()).toBe("2026-01-20T08:30:00.000Z");
  });

  it("ends exactly at closing time rather than at the next opening", () => {
    // Friday 17:00 + 60 min = Friday 18:00 CET (17:00Z).
    expect(addBusinessMinutes(at("2026-01-16T16:00:00Z"), 60, PARIS).toISOString()).toBe("2026-01-16T17:00:00.000Z");
  });

  it("skips a holiday", () => {
    // Monday 2026-01-19 declared a holiday: the Friday-evening ticket is due Tuesday 12:30 instead.
    const due = addBusinessMinutes(at("2026-01-16T16:30:00Z"), 240, { ...PARIS, holidays: ["2026-01-19"] });
    expect(due.toISOString()).toBe("2026-01-20T11:30:00.000Z");
  });

  it("keeps 09:00 local across the spring-forward weekend (Paris, last Sunday of March 2026)", () => {
    // Friday 2026-03-27 17:00 CET (16:00Z) + 4 h: 1 h Friday, 3 h Monday 30 March from 09:00 CEST
    // (UTC+2) → 12:00 CEST = 10:00Z. A fixed +1 offset would give 11:00Z.
    const due = addBusinessMinutes(at("2026-03-27T16:00:00Z"), 240, PARIS);
    expect(due.toISOString()).toBe("2026-03-30T10:00:00.000Z");
  });

  it("keeps 09:00 local across the fall-back weekend (Paris, last Sunday of October 2026)", () => {
    // Friday 2026-10-23 17:00 CEST (15:00Z) + 4 h → Monday 26 October 12:00 CET (UTC+1) = 11:00Z.
    const due = addBusinessMinutes(at("2026-10-23T15:00:00Z"), 240, PARIS);
    expect(due.toISOString()).toBe("2026-10-26T11:00:00.000Z");
  });

  it("reads a UTC ticket time in the calendar's zone (America/New_York)", () => {
    // 2026-01-05T13:30Z is Monday 08:30 EST: counting starts at 09:00 EST, + 60 min = 10:00 EST = 15:00Z.
    expect(addBusinessMinutes(at("2026-01-05T13:30:00Z"), 60, NEW_YORK).toISOString()).toBe("2026-01-05T15:00:00.000Z");
    // 2026-01-05T23:00Z is Monday 18:00 EST, after closing (17:00): Tuesday 09:00 EST + 120 = 11:00 EST = 16:00Z.
    expect(addBusinessMinutes(at("2026-01-05T23:00:00Z"), 120, NEW_YORK).toISOString()).toBe(
      "2026-01-06T16:00:00.000Z",
    );
    // The same instant under Paris hours is already Tuesday 00:00 CET: Tuesday 09:00 CET + 120 = 11:00 CET = 10:00Z.
    expect(addBusinessMinutes(at("2026-01-05T23:00:00Z"), 120, PARIS).toISOString()).toBe("2026-01-06T10:00:00.000Z");
  });

  it("handles New York's own DST change (second Sunday of March 2026)", () => {
    // Friday 2026-03-06 16:30 EST (21:30Z) + 60: 30 min Friday, 30 min Monday 9 March from 09:00 EDT
    // (UTC−4) → 09:30 EDT = 13:30Z.
    expect(addBusinessMinutes(at("2026-03-06T21:30:00Z"), 60, NEW_YORK).toISOString()).toBe("2026-03-09T13:30:00.000Z");
  });

  it("returns the start for 0 minutes and refuses negative minutes and unknown zones", () => {
    const start = at("2026-01-17T09:00:00Z");
    expect(addBusinessMinutes(start, 0, PARIS).toISOString()).toBe(start.toISOString());
    expect(() => addBusinessMinutes(start, -5, PARIS)).toThrow(DomainError);
    expect(() => addBusinessMinutes(start, 5, { ...PARIS, timezone: "Mars/Olympus" })).toThrow(/unknown time zone/);
  });
});

describe("24/7 policies", () => {
  it("counts wall-clock minutes when businessHoursOnly is false", () => {
    // Urgent: 60 min from Saturday 23:30Z is Sunday 00:30Z, weekend or not.
    expect(addSlaMinutes(at("2026-01-17T23:30:00Z"), 60, false, PARIS).toISOString()).toBe("2026-01-18T00:30:00.000Z");
    expect(slaMinutesBetween(at("2026-01-17T23:30:00Z"), at("2026-01-18T00:30:00Z"), false, PARIS)).toBe(60);
    // Across the spring-forward night: real elapsed minutes (02:00 → 03:00 local never happened).
    expect(slaMinutesBetween(at("2026-03-29T00:30:00Z"), at("2026-03-29T01:30:00Z"), false, PARIS)).toBe(60);
  });

  it("a calendar of every day 00:00–24:00 counts the real length of a 23-hour DST day", () => {
    const always: BusinessCalendar = { ...PARIS, workdays: [1, 2, 3, 4, 5, 6, 7], dayStart: "00:00", dayEnd: "24:00" };
    // Sunday 29 March 2026 in Paris lasts 23 hours: 2026-03-28T23:00Z → 2026-03-29T22:00Z.
    expect(businessMinutesBetween(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"), always)).toBe(23 * 60);
  });
});

describe("businessMinutesBetween", () => {
  it("counts only working windows", () => {
    // Friday 17:30 CET → Monday 12:30 CET = 30 + 210 minutes.
    expect(businessMinutesBetween(at("2026-01-16T16:30:00Z"), at("2026-01-19T11:30:00Z"), PARIS)).toBe(240);
    // A whole weekend: nothing.
    expect(businessMinutesBetween(at("2026-01-17T00:00:00Z"), at("2026-01-18T22:00:00Z"), PARIS)).toBe(0);
    expect(businessMinutesBetween(at("2026-01-19T11:30:00Z"), at("2026-01-16T16:30:00Z"), PARIS)).toBe(0);
  });

  it("is the inverse of addBusinessMinutes, across weekends, holidays and DST", () => {
    const calendars = [PARIS, NEW_YORK, { ...PARIS, holidays: ["2026-03-30", "2026-10-26"] }];
    const starts = ["2026-03-27T16:00:00Z", "2026-10-23T15:00:00Z", "2026-01-17T09:00:00Z", "2026-03-06T21:30:00Z"];
    for (const calendar of calendars) {
      for (const iso of starts) {
        for (const minutes of [1, 45, 240, 540, 1441, 2880, 7200]) {
          const due = addBusinessMinutes(at(iso), minutes, calendar);
          expect(businessMinutesBetween(at(iso), due, calendar), `${calendar.timezone} ${iso} +${minutes}`).toBeCloseTo(
            minutes,
            6,
          );
        }
      }
    }
  });
});

describe("pause and resume", () => {
  it("pushes the resolution due time by the business minutes spent paused", () => {
    // Created Monday 2026-01-19 09:00 CET with 1440 business minutes (high): 9 h a day → due on the
    // third working day, Wednesday 18:00 − 1440 + 3·540 = Wednesday 18:00 − 180 = 15:00 CET (14:00Z).
    const created = at("2026-01-19T08:00:00Z");
    const { resolutionDueAt } = slaDueTimes(
      created,
      { firstResponseMinutes: 240, resolutionMinutes: 1440, businessHoursOnly: true },
      PARIS,
    );
    expect(resolutionDueAt.toISOString()).toBe("2026-01-21T14:00:00.000Z");
    // Awaiting the customer Monday 10:00 → 14:00 CET: 240 business minutes paused.
    const pushed = resumeResolutionDueAt(
      resolutionDueAt,
      at("2026-01-19T09:00:00Z"),
      at("2026-01-19T13:00:00Z"),
      true,
      PARIS,
    );
    // Wednesday 15:00 + 240 = 3 h to 18:00, then 1 h Thursday → Thursday 10:00 CET (09:00Z).
    expect(pushed.toISOString()).toBe("2026-01-22T09:00:00.000Z");
    // The same from the status history, and as due times recomputed with the pause.
    const changes = [
      { toStatus: "open", createdAt: created },
      { toStatus: "awaiting_customer", createdAt: at("2026-01-19T09:00:00Z") },
      { toStatus: "in_progress", createdAt: at("2026-01-19T13:00:00Z") },
    ];
    const paused = pausedSlaMinutes(changes, at("2026-01-20T12:00:00Z"), true, PARIS);
    expect(paused).toBe(240);
    const recomputed = slaDueTimes(
      created,
      { firstResponseMinutes: 240, resolutionMinutes: 1440, businessHoursOnly: true },
      PARIS,
      paused,
    );
    expect(recomputed.resolutionDueAt.toISOString()).toBe(pushed.toISOString());
  });

  it("counts a pause that is still running up to `until`, and pauses overnight count business time only", () => {
    const changes = [
      { toStatus: "open", createdAt: at("2026-01-19T08:00:00Z") },
      // Awaiting the customer from Monday 17:00 CET, still waiting at Tuesday 10:00 CET: 60 + 60 minutes.
      { toStatus: "awaiting_customer", createdAt: at("2026-01-19T16:00:00Z") },
    ];
    expect(pausedSlaMinutes(changes, at("2026-01-20T09:00:00Z"), true, PARIS)).toBe(120);
    // Wall clock for a 24/7 policy: 17 hours.
    expect(pausedSlaMinutes(changes, at("2026-01-20T09:00:00Z"), false, PARIS)).toBe(17 * 60);
  });

  it("derives breaches: achieved late, running late, and judged at the pause while paused", () => {
    const base = {
      firstResponseAt: null,
      firstResponseDueAt: at("2026-01-19T12:00:00Z"),
      resolutionDueAt: at("2026-01-21T14:00:00Z"),
      resolvedAt: null,
      slaPausedAt: null,
      status: "open",
    };
    expect(slaState(base, at("2026-01-19T11:00:00Z"))).toEqual({
      firstResponseBreached: false,
      resolutionBreached: false,
      nextDueAt: base.firstResponseDueAt,
    });
    expect(slaState(base, at("2026-01-19T13:00:00Z")).firstResponseBreached).toBe(true);
    // Answered at 11:00: met, whatever the time now; the next running target is resolution.
    const answered = { ...base, firstResponseAt: at("2026-01-19T11:00:00Z"), status: "in_progress" };
    expect(slaState(answered, at("2026-01-25T00:00:00Z"))).toMatchObject({
      firstResponseBreached: false,
      resolutionBreached: true,
    });
    // Paused before the due time: not breached while waiting for the customer, and no running target.
    const waiting = { ...answered, status: "awaiting_customer", slaPausedAt: at("2026-01-20T10:00:00Z") };
    expect(slaState(waiting, at("2026-01-25T00:00:00Z"))).toEqual({
      firstResponseBreached: false,
      resolutionBreached: false,
      nextDueAt: null,
    });
  });
});

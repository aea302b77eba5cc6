/**
 * Service-level targets of support tickets, as pure functions over a business calendar.
 *
 * Rules (after Zendesk's SLA policies, support.zendesk.com "Defining and using SLA policies" and
 * "Setting your schedule with business hours and holidays"):
 * - Each priority has a policy (sup_sla_policies): minutes to the first public agent reply and to
 *   resolution, counted in **business hours** (`businessHoursOnly`) or around the clock.
 * - Business hours come from the support team's calendar (sup_business_calendar): an IANA time zone,
 *   the ISO weekdays worked (1 = Monday … 7 = Sunday), a local start and end of the working day
 *   ("HH:MM", end after start; "24:00" is midnight at the end of the day) and holidays (local
 *   "YYYY-MM-DD", not worked). Local wall times are converted with `Intl.DateTimeFormat` in that time
 *   zone on each date, so a day across a daylight-saving change starts at 09:00 local on both sides
 *   (never a fixed UTC offset). A business minute is a real elapsed minute inside a working window.
 * - Due times are set when the ticket is created: `firstResponseDueAt = createdAt + first-response
 *   target`, `resolutionDueAt = createdAt + resolution target`, both in the policy's clock.
 * - The resolution target is **pausable** (Zendesk's "pausable update" / "requester wait time"):
 *   while the ticket waits for the customer (awaiting_customer) or sits resolved, its clock stops;
 *   when work resumes, `resolutionDueAt` moves later by the paused minutes (in the policy's clock).
 *   `resolutionMinutes` is the policy-clock time from creation to resolution minus paused time. The
 *   first-response target never pauses.
 * - A target is breached when its due time is before the moment it was achieved (first public reply,
 *   resolution), or before now while not achieved; a paused clock is judged at the moment it paused.
 *   A ticket resolved without any public reply met its first-reply target at resolution (Zendesk).
 */
import { isValidTimeZone } from "@fleetcore/validators";
import { DomainError } from "../errors";

/** The support team's working hours (sup_business_calendar). */
export interface BusinessCalendar {
  /** IANA time zone, e.g. "Europe/Paris". */
  timezone: string;
  /** ISO weekdays worked: 1 = Monday … 7 = Sunday. */
  workdays: number[];
  /** Local start of the working day, "HH:MM". */
  dayStart: string;
  /** Local end of the working day, "HH:MM" (after dayStart; "24:00" allowed). */
  dayEnd: string;
  /** Local dates not worked, "YYYY-MM-DD". */
  holidays: string[];
}

/** One priority's targets (sup_sla_policies), minutes. */
export interface SlaPolicyTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  /** Count in the calendar's business hours (true) or around the clock (false). */
  businessHoursOnly: boolean;
}

const MINUTE_MS = 60_000;
/** Local days scanned at most before giving up (a calendar whose every day is a holiday). */
const MAX_SCAN_DAYS = 366 * 30;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new DomainError("invalid", `unknown time zone ${timezone}`);
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** True for an IANA time zone this runtime knows (one definition, shared with the web: validators). */
export { isValidTimeZone };

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock date and time of instant `ms` in `timezone`. */
function localParts(ms: number, timezone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timezone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Offset of `timezone` from UTC at instant `ms` (local wall time − UTC), ms. */
function offsetMs(ms: number, timezone: string): number {
  const p = localParts(ms, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall time occurs in `timezone` (minutes since local midnight of the date; 1440 =
 * the next midnight). A time skipped by a spring-forward change maps to the instant after the gap.
 */
function zonedTimeToUtc(year: number, month: number, day: number, minutes: number, timezone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  // Two passes settle on the offset in force at the result (the standard fixed-point method).
  const first = wall - offsetMs(wall, timezone);
  const second = wall - offsetMs(first, timezone);
  if (second === first) return first;
  // In a gap neither candidate reproduces the wall time: take the later instant.
  return Math.max(first, second);
}

function parseHhMm(value: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new DomainError("invalid", `time of day must be HH:MM, got ${value}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 1440 || Number(m[2]) > 59) throw new DomainError("invalid", `time of day out of range: ${value}`);
  return minutes;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A prepared calendar: working windows of a local date as UTC instants. */
class WorkingWindows {
  private readonly startMin: number;
  private readonly endMin: number;
  private readonly workdays: Set<number>;
  private readonly holidays: Set<string>;

  constructor(private readonly calendar: BusinessCalendar) {
    this.startMin = parseHhMm(calendar.dayStart);
    this.endMin = parseHhMm(calendar.dayEnd);
    if (this.endMin <= this.startMin) throw new DomainError("invalid", "the working day must end after it starts");
    this.workdays = new Set(calendar.workdays);
    if (![...this.workdays].some((d) => d >= 1 && d <= 7)) throw new DomainError("invalid", "no working days");
    this.holidays = new Set(calendar.holidays);
    formatterFor(calendar.timezone);
  }

  /** The local date (as a UTC-midnight day number) that instant `ms` falls on. */
  localDay(ms: number): number {
    const p = localParts(ms, this.calendar.timezone);
    return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
  }

  /** The working window of local day `dayNumber` as [start, end) epoch ms, or null when not worked. */
  window(dayNumber: number): [number, number] | null {
    const date = new Date(dayNumber * 86_400_000);
    const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (!this.workdays.has(isoWeekday)) return null;
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth() + 1;
    const d = date.getUTCDate();
    if (this.holidays.has(`${y}-${pad(m)}-${pad(d)}`)) return null;
    const tz = this.calendar.timezone;
    return [zonedTimeToUtc(y, m, d, this.startMin, tz), zonedTimeToUtc(y, m, d, this.endMin, tz)];
  }
}

/**
 * The instant `minutes` business minutes after `start` under `calendar`: time counts only inside the
 * working windows (local dayStart–dayEnd on workdays that are not holidays, in the calendar's zone).
 * A start outside business hours counts from the next window's opening; a result that lands exactly
 * on a window's end stays there (e.g. 18:00 Friday), rather than moving to the next opening.
 * @param minutes ≥ 0 (fractions allowed); 0 returns `start` unchanged
 * @throws DomainError("invalid") for an unusable calendar (unknown zone, end before start, no
 *   working day within 30 years)
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  if (!(minutes >= 0)) throw new DomainError("invalid", "minutes must be zero or more");
  if (minutes === 0) return new Date(start.getTime());
  const windows = new WorkingWindows(calendar);
  let remainingMs = minutes * MINUTE_MS;
  const startMs = start.getTime();
  // One day back: the window of the previous local date cannot reach `start`, but a late-night
  // window (end "24:00") of the local date before a DST jump is cheap to include.
  const firstDay = windows.localDay(startMs) - 1;
  for (let day = firstDay; day < firstDay + MAX_SCAN_DAYS; day++) {
    const w = windows.window(day);
    if (!w) continue;
    const from = Math.max(w[0], startMs);
    if (from >= w[1]) continue;
    const available = w[1] - from;
    if (remainingMs <= available) return new Date(from + remainingMs);
    remainingMs -= available;
  }
  throw new DomainError("invalid", "the business calendar has no working time in the next 30 years");
}

/**
 * Business minutes between `a` and `b` under `calendar` (overlap of [a, b) with the working windows),
 * the inverse of {@link addBusinessMinutes}: `businessMinutesBetween(s, addBusinessMinutes(s, m)) = m`.
 * @returns minutes (fractional), 0 when `b` ≤ `a`
 */
export function businessMinutesBetween(a: Date, b: Date, calendar: BusinessCalendar): number {
  const aMs = a.getTime();
  const bMs = b.getTime();
  if (bMs <= aMs) return 0;
  const windows = new WorkingWindows(calendar);
  const lastDay = windows.localDay(bMs) + 1;
  let totalMs = 0;
  for (let day = windows.localDay(aMs) - 1; day <= lastDay; day++) {
    const w = windows.window(day);
    if (!w) continue;
    const from = Math.max(w[0], aMs);
    const to = Math.min(w[1], bMs);
    if (to > from) totalMs += to - from;
  }
  return totalMs / MINUTE_MS;
}

/**
 * `start` plus `minutes` in a policy's clock: business minutes when `businessHoursOnly`, else
 * wall-clock minutes.
 */
export function addSlaMinutes(
  start: Date,
  minutes: number,
  businessHoursOnly: boolean,
  calendar: BusinessCalendar,
): Date {
  return businessHoursOnly
    ? addBusinessMinutes(start, minutes, calendar)
    : new Date(start.getTime() + minutes * MINUTE_MS);
}

/** Minutes from `a` to `b` in a policy's clock (business or wall-clock); 0 when `b` ≤ `a`. Fractional. */
export function slaMinutesBetween(a: Date, b: Date, businessHoursOnly: boolean, calendar: BusinessCalendar): number {
  if (!businessHoursOnly) return Math.max(0, (b.getTime() - a.getTime()) / MINUTE_MS);
  return businessMinutesBetween(a, b, calendar);
}

/** Statuses during which the resolution clock is stopped. */
export const SLA_PAUSED_STATUSES: ReadonlySet<string> = new Set(["awaiting_customer", "resolved", "closed"]);

/**
 * Minutes the resolution clock was stopped, from a ticket's status history: the sum of the intervals
 * spent in a paused status ({@link SLA_PAUSED_STATUSES}) up to `until`, in the policy's clock.
 * @param changes the ticket's status changes, any order (`toStatus` and when)
 * @param until end of the last interval when the ticket is still paused (usually now)
 */
export function pausedSlaMinutes(
  changes: ReadonlyArray<{ toStatus: string; createdAt: Date }>,
  until: Date,
  businessHoursOnly: boolean,
  calendar: BusinessCalendar,
): number {
  const ordered = [...changes].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
  let paused = 0;
  let pausedSince: Date | null = null;
  for (const c of ordered) {
    const isPaused = SLA_PAUSED_STATUSES.has(c.toStatus);
    if (isPaused && !pausedSince) pausedSince = c.createdAt;
    if (!isPaused && pausedSince) {
      paused += slaMinutesBetween(pausedSince, c.createdAt, businessHoursOnly, calendar);
      pausedSince = null;
    }
  }
  if (pausedSince) paused += slaMinutesBetween(pausedSince, until, businessHoursOnly, calendar);
  return paused;
}

/**
 * A ticket's due times under `policy`: `firstResponseDueAt = createdAt + first-response target`,
 * `resolutionDueAt = createdAt + resolution target + pausedMinutes`, in the policy's clock.
 * @param pausedMinutes time the resolution clock was stopped so far (closed pauses only; see
 *   {@link pausedSlaMinutes}), 0 for a new ticket
 */
export function slaDueTimes(
  createdAt: Date,
  policy: SlaPolicyTargets,
  calendar: BusinessCalendar,
  pausedMinutes = 0,
): { firstResponseDueAt: Date; resolutionDueAt: Date } {
  return {
    firstResponseDueAt: addSlaMinutes(createdAt, policy.firstResponseMinutes, policy.businessHoursOnly, calendar),
    resolutionDueAt: addSlaMinutes(
      createdAt,
      policy.resolutionMinutes + pausedMinutes,
      policy.businessHoursOnly,
      calendar,
    ),
  };
}

/**
 * The resolution due time after a pause ends: `dueAt` moved later by the minutes paused from
 * `pausedAt` to `resumedAt` in the policy's clock (Zendesk's pausable resolution target).
 */
export function resumeResolutionDueAt(
  dueAt: Date,
  pausedAt: Date,
  resumedAt: Date,
  businessHoursOnly: boolean,
  calendar: BusinessCalendar,
): Date {
  const paused = slaMinutesBetween(pausedAt, resumedAt, businessHoursOnly, calendar);
  return addSlaMinutes(dueAt, paused, businessHoursOnly, calendar);
}

/** Breach flags and the next due time of a ticket, derived at `now` (see the module rules). */
export interface SlaState {
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  /** The earliest target still running (first response, then resolution); null when none runs. */
  nextDueAt: Date | null;
}

/**
 * Derives a ticket's SLA state at `now`: a target is breached when its due time is before the time it
 * was achieved, or before now (the pause start while paused) when not achieved.
 */
export function slaState(
  t: {
    firstResponseAt: Date | null;
    firstResponseDueAt: Date | null;
    resolutionDueAt: Date | null;
    resolvedAt: Date | null;
    slaPausedAt: Date | null;
    status: string;
  },
  now: Date,
): SlaState {
  // Solved without any public reply: the first-reply target counts as met at resolution (Zendesk).
  const firstAt = t.firstResponseAt ?? t.resolvedAt ?? now;
  const firstResponseBreached = t.firstResponseDueAt !== null && t.firstResponseDueAt < firstAt;
  const resolvedOrPaused = t.resolvedAt ?? t.slaPausedAt ?? now;
  const resolutionBreached = t.resolutionDueAt !== null && t.resolutionDueAt < resolvedOrPaused;
  let nextDueAt: Date | null = null;
  const running = !SLA_PAUSED_STATUSES.has(t.status);
  if (!t.firstResponseAt && !t.resolvedAt && t.firstResponseDueAt && t.status !== "closed") {
    nextDueAt = t.firstResponseDueAt;
  }
  if (running && t.resolutionDueAt && (!nextDueAt || t.resolutionDueAt < nextDueAt)) nextDueAt = t.resolutionDueAt;
  return { firstResponseBreached, resolutionBreached, nextDueAt };
}

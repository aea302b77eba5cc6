/** Date and time formatting in the browser's locale. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const utcDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(d: Date | null | undefined): string {
  return d ? dateTime.format(d) : "—";
}

export function formatDate(d: Date | null | undefined): string {
  return d ? dateOnly.format(d) : "—";
}

/** A calendar date stored as UTC midnight (a SQL `date`), shown as that same day everywhere. */
export function formatCalendarDate(d: Date | null | undefined): string {
  return d ? utcDate.format(d) : "—";
}

/** `<input type="date">` value → UTC midnight of that day (how a SQL `date` travels). */
export function calendarDateFromInput(value: string): Date {
  return new Date(`${value}T00:00:00Z`);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The browser-local calendar day of `d` as an `<input type="date">` value ("YYYY-MM-DD"). */
export function localDateInputValue(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today as an `<input type="date">` value, in the browser's time zone. */
export function todayInputValue(): string {
  return localDateInputValue(new Date());
}

/**
 * The local calendar day `days` (and `years`) after today as an `<input type="date">` value, e.g.
 * a default close date 30 days out, or a one-year term ending the day before (`years: 1, days: -1`).
 */
export function localDayFromTodayInputValue(offset: { days?: number; years?: number }): string {
  const now = new Date();
  return localDateInputValue(
    new Date(now.getFullYear() + (offset.years ?? 0), now.getMonth(), now.getDate() + (offset.days ?? 0)),
  );
}

/** An instant as an `<input type="datetime-local">` value (browser's time zone, to the minute). */
export function localDateTimeInputValue(d: Date): string {
  return `${localDateInputValue(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Role and status names as words: "technical_contact" → "technical contact". */
export function humanize(name: string): string {
  return name.replaceAll("_", " ");
}

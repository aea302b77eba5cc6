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

/** Today as an `<input type="date">` value, in the browser's time zone. */
export function todayInputValue(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Role and status names as words: "technical_contact" → "technical contact". */
export function humanize(name: string): string {
  return name.replaceAll("_", " ");
}

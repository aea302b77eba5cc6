/**
 * Time-zone names shared by the web app, the procedures and the domain services: one test of
 * whether a name is an IANA zone, by asking the runtime's Intl (ICU) database.
 */

const known = new Map<string, boolean>();

/** True when `name` is an IANA time zone this runtime knows (e.g. "Europe/Paris", "UTC"). Cached per name. */
export function isValidTimeZone(name: string): boolean {
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
      ok = true;
    } catch {
      ok = false;
    }
    if (known.size < 1_000) known.set(name, ok);
  }
  return ok;
}

/** `name` when it is a known IANA zone ({@link isValidTimeZone}), else "UTC": a bad setting must not break a page or a job. */
export function usableTimeZone(name: string | null | undefined): string {
  return name && isValidTimeZone(name) ? name : "UTC";
}

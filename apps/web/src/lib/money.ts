/**
 * Money in the browser: amounts travel as integer minor units (`bigint`, e.g. cents) with an ISO
 * 4217 currency, never as floats. The number of minor-unit digits comes from Intl (its CLDR data:
 * USD/EUR 2, JPY 0, BHD/KWD 3), so formatting and parsing agree with how amounts are shown.
 */

const digitsCache = new Map<string, number>();

/** Minor-unit digits of `currency` (2 when Intl does not know the code). */
export function minorDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits;
    } catch {
      digits = 2;
    }
    digits ??= 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/** Minor units as an exact decimal string of major units: (123456n, 2) → "1234.56", (-5n, 2) → "-0.05". */
export function minorToDecimalString(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const text = abs.toString().padStart(digits + 1, "0");
  const whole = digits > 0 ? text.slice(0, -digits) : text;
  const fraction = digits > 0 ? `.${text.slice(-digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/**
 * An amount for people: "$1,234.56", "¥12,345", "1 234,56 €" in the browser's locale. Exact for any
 * size: Intl formats the decimal string itself (Intl.NumberFormat v3 string input), not a float.
 * `compact` gives "$1.2M" (rounded; for chart axes and totals in tight spaces).
 */
export function formatMoney(minor: bigint, currency: string, opts: { compact?: boolean } = {}): string {
  const digits = minorDigits(currency);
  const decimal = minorToDecimalString(minor, digits) as Intl.StringNumericLiteral;
  try {
    const format = opts.compact
      ? new Intl.NumberFormat(undefined, { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 })
      : new Intl.NumberFormat(undefined, {
          style: "currency",
          currency,
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        });
    return format.format(decimal);
  } catch {
    return `${decimal} ${currency}`;
  }
}

/** Major units as a plain number, for chart geometry only (tables show {@link formatMoney}). */
export function minorToChartNumber(minor: bigint, currency: string): number {
  return Number(minor) / 10 ** minorDigits(currency);
}

/**
 * A chart value (major units, from {@link minorToChartNumber}) as money: with `compact` for axis
 * ticks ("$1.2K", one decimal at most), else with the currency's minor digits for tooltips
 * ("$1,234.56", "¥1,235"). A value that is not a number (recharts passes arrays and strings too)
 * is "—"; an unknown currency code gives "<value> <code>".
 */
export function formatChartMoney(value: unknown, currency: string, opts: { compact?: boolean } = {}): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  const digits = minorDigits(currency);
  try {
    return new Intl.NumberFormat(
      undefined,
      opts.compact
        ? { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }
        : { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits },
    ).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

/**
 * What a person typed → minor units, or null when it is not an amount of `currency`: digits with an
 * optional decimal point and at most the currency's minor digits ("1234.5" USD → 123450n; "12.5"
 * JPY → null). Spaces, commas and apostrophes are taken as thousands separators.
 */
export function parseMoneyInput(text: string, currency: string): bigint | null {
  const digits = minorDigits(currency);
  const cleaned = text.trim().replace(/[\s,'’]/g, "");
  const m = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!m) return null;
  const fraction = m[2] ?? "";
  if (fraction.length > digits) return null;
  return BigInt(m[1] ?? "0") * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
}

/** Minor units as the text of an amount input ("1234.56"), the inverse of {@link parseMoneyInput}. */
export function moneyInputValue(minor: bigint | null | undefined, currency: string): string {
  return minor === null || minor === undefined ? "" : minorToDecimalString(minor, minorDigits(currency));
}

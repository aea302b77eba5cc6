/**
 * Billing display helpers shared by the tenant billing page and the provider billing admin. Billing
 * amounts travel as integer minor units (`number`, an SQL int4) with an ISO 4217 currency; they are
 * formatted through lib/money.ts (the currency's own minor digits, the browser's locale).
 */
import type { BillingInterval, SubscriptionStatus } from "@fleetcore/validators";
import { formatMoney, minorToChartNumber, parseMoneyInput } from "./money";

/** Minor units as money for people: (123456, "EUR") → "€1,234.56"; (500, "JPY") → "¥500". */
export function formatMinor(minor: number, currency: string): string {
  return formatMoney(BigInt(minor), currency);
}

/** Minor units in major units, for chart geometry only. */
export function chartMajor(minor: number, currency: string): number {
  return minorToChartNumber(BigInt(minor), currency);
}

/**
 * What a person typed in major units → integer minor units, or null when it is not an amount of
 * `currency` (too many decimals, letters, a negative sign) or exceeds `max` minor units.
 */
export function parseMajorInput(text: string, currency: string, max = Number.MAX_SAFE_INTEGER): number | null {
  const minor = parseMoneyInput(text, currency);
  if (minor === null || minor > BigInt(max)) return null;
  return Number(minor);
}

/** Subscription statuses in words. */
export const SUBSCRIPTION_STATUS_LABELS: Record<SubscriptionStatus, string> = {
  incomplete: "Incomplete",
  incomplete_expired: "Expired before payment",
  trialing: "Trial",
  active: "Active",
  past_due: "Past due",
  canceled: "Canceled",
  unpaid: "Unpaid",
  paused: "Paused",
};

/** The `status-*` class (styles.css) of a subscription or invoice status badge. */
export function billingStatusClass(status: string): string {
  switch (status) {
    case "active":
    case "paid":
      return "status-active";
    case "trialing":
    case "open":
      return "status-trial";
    case "past_due":
    case "unpaid":
    case "uncollectible":
    case "incomplete":
      return "status-suspended";
    default:
      return "status-closed";
  }
}

/** "month" → "per month"; "year" → "per year". */
export function perInterval(interval: BillingInterval): string {
  return interval === "year" ? "per year" : "per month";
}

/** "YYYY-MM" (a UTC calendar month) → "Jan 2027" in the browser's locale. */
export function monthLabel(month: string): string {
  return new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${month}-01T00:00:00Z`),
  );
}

/** The current UTC month shifted by `offset` months, "YYYY-MM". */
export function utcMonth(offset = 0, now: Date = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 7);
}

/** A card brand for people: "visa" → "Visa", "amex" → "American Express". */
export function brandLabel(brand: string | null, type: string): string {
  const names: Record<string, string> = {
    amex: "American Express",
    diners: "Diners Club",
    discover: "Discover",
    jcb: "JCB",
    mastercard: "Mastercard",
    unionpay: "UnionPay",
    visa: "Visa",
    cartes_bancaires: "Cartes Bancaires",
  };
  if (brand) return names[brand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);
  return type === "sepa_debit" ? "SEPA Direct Debit" : type === "us_bank_account" ? "Bank account" : type;
}

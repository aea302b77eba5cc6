/**
 * Billing arithmetic in integer minor units (never floats): MRR normalisation and the per-vehicle-day
 * overage price. Pure functions; bigint where a product could exceed 2⁵³.
 */

/** Divides two non-negative bigints, rounding half up (0.5 → 1), once. */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  if (numerator < 0n) return -divRoundHalfUp(-numerator, denominator);
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Decimal places of `unit_amount_decimal` Stripe accepts (API reference: Price.unit_amount_decimal). */
export const STRIPE_DECIMAL_PLACES = 12;
const DECIMAL_SCALE = 10n ** BigInt(STRIPE_DECIMAL_PLACES);

/** Days per month in the overage price: the monthly overage per vehicle is billed per vehicle-day as /30. */
export const OVERAGE_DAYS_PER_MONTH = 30;

/**
 * The metered overage Price's `unit_amount_decimal` (minor units per vehicle-day, as Stripe's
 * decimal string with at most 12 decimals, rounded half up): overagePerVehicleMinor / 30.
 * Why per vehicle-day: the meter sums each day's (active vehicles − included)⁺, so a vehicle active
 * 15 days of a month costs half the monthly overage; /30 makes a full month of a vehicle cost the
 * monthly overage (±1/30 in 31-day months, 2/30 less in February — documented to tenants).
 * @example overageUnitAmountDecimal(500) === "16.666666666667"; overageUnitAmountDecimal(1500) === "50"
 */
export function overageUnitAmountDecimal(overagePerVehicleMinor: number): string {
  const scaled = divRoundHalfUp(BigInt(overagePerVehicleMinor) * DECIMAL_SCALE, BigInt(OVERAGE_DAYS_PER_MONTH));
  const whole = scaled / DECIMAL_SCALE;
  const fraction = (scaled % DECIMAL_SCALE).toString().padStart(STRIPE_DECIMAL_PLACES, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}

/**
 * What Stripe charges for `vehicleDays` of overage at the per-vehicle-day price above: quantity ×
 * unit_amount_decimal (the 12-decimal value), rounded half up to an integer once — the same
 * arithmetic as the invoice line, so the projection matches the invoice.
 * @returns minor units
 */
export function overageAmountMinor(vehicleDays: number, overagePerVehicleMinor: number): number {
  const unitScaled = divRoundHalfUp(BigInt(overagePerVehicleMinor) * DECIMAL_SCALE, BigInt(OVERAGE_DAYS_PER_MONTH));
  return Number(divRoundHalfUp(BigInt(vehicleDays) * unitScaled, DECIMAL_SCALE));
}

const STRIPE_DECIMAL = /^(\d+)(?:\.(\d{1,12}))?$/;

/** True for a non-negative Stripe `unit_amount_decimal` string with at most 12 decimals ("16.666666666667"). */
export function isStripeUnitDecimal(value: string): boolean {
  return STRIPE_DECIMAL.test(value);
}

/**
 * What Stripe charges for `quantity` units at the Price's `unit_amount_decimal` (minor units, a
 * decimal string of at most 12 places, exactly as Stripe returns it): quantity × unit, rounded half
 * up to an integer once — the invoice line's arithmetic. For a subscription's own overage Price,
 * whatever plan version it was sold at.
 * @throws RangeError for a string that is not such a decimal
 * @returns minor units
 */
export function meteredAmountMinor(quantity: number, unitAmountDecimal: string): number {
  const m = STRIPE_DECIMAL.exec(unitAmountDecimal);
  if (!m) throw new RangeError(`not a Stripe unit_amount_decimal: "${unitAmountDecimal}"`);
  const unitScaled = BigInt(m[1] as string) * DECIMAL_SCALE + BigInt((m[2] ?? "").padEnd(STRIPE_DECIMAL_PLACES, "0"));
  return Number(divRoundHalfUp(BigInt(quantity) * unitScaled, DECIMAL_SCALE));
}

/**
 * A recurring amount normalised to one month (MRR contribution), minor units: monthly prices as
 * they are (÷ interval_count), yearly ÷ 12 (÷ interval_count), weekly × 52/12, daily × 365/12 —
 * rounded half up once, at the end.
 * @param unitAmountMinor Stripe Price.unit_amount
 * @param quantity subscription item quantity (licensed prices; 1 for a plan)
 */
export function monthlyAmountMinor(
  unitAmountMinor: number,
  quantity: number,
  interval: "day" | "week" | "month" | "year" | string,
  intervalCount = 1,
): number {
  const total = BigInt(unitAmountMinor) * BigInt(quantity);
  const count = BigInt(Math.max(1, intervalCount));
  switch (interval) {
    case "month":
      return Number(divRoundHalfUp(total, count));
    case "year":
      return Number(divRoundHalfUp(total, 12n * count));
    case "week":
      return Number(divRoundHalfUp(total * 52n, 12n * count));
    case "day":
      return Number(divRoundHalfUp(total * 365n, 12n * count));
    default:
      return 0;
  }
}

/** A coupon as far as MRR is concerned (Stripe's Coupon: percent_off or amount_off + currency, duration). */
export interface MrrCoupon {
  percentOff: number | null;
  /** Minor units off each invoice, in `currency`. */
  amountOffMinor: number | null;
  currency: string | null;
  duration: "once" | "repeating" | "forever" | string;
  /** Unix seconds when a repeating discount ends (Stripe Discount.end); null: no end. */
  endS: number | null;
}

/**
 * MRR net of a subscription's discounts, ChartMogul's rule ("Discounts" in their MRR definition):
 * coupons that last (`forever`, or `repeating` until their end) reduce MRR; a `once` coupon does not
 * (it discounts one invoice, not the recurring revenue). Percent coupons multiply; amount coupons
 * (same currency only) come off each invoice, so they are normalised to a month like the price.
 * Applied in order, never below 0, rounded half up once at the end.
 * @param monthlyMinor the undiscounted MRR contribution ({@link monthlyAmountMinor})
 * @param interval, intervalCount the subscription's billing interval (normalises amount coupons)
 * @param nowS the clock (unix seconds) against which repeating discounts' ends are checked
 */
export function discountedMonthlyMinor(
  monthlyMinor: number,
  coupons: readonly MrrCoupon[],
  opts: { currency: string; interval: string; intervalCount?: number; nowS: number },
): number {
  // Work in thousandths of a minor unit (bigint), round once at the end.
  let value = BigInt(monthlyMinor) * 1000n;
  for (const c of coupons) {
    if (c.duration === "once") continue;
    if (c.endS !== null && c.endS <= opts.nowS) continue;
    if (c.percentOff !== null) {
      const keep = BigInt(Math.round((100 - c.percentOff) * 1000));
      value = (value * keep) / 100_000n;
    } else if (c.amountOffMinor !== null && c.currency?.toUpperCase() === opts.currency.toUpperCase()) {
      value -= BigInt(monthlyAmountMinor(c.amountOffMinor * 1000, 1, opts.interval, opts.intervalCount ?? 1));
    }
    if (value < 0n) value = 0n;
  }
  return Number(divRoundHalfUp(value, 1000n));
}

/**
 * Subscription statuses whose normalised amount is MRR: active and past_due (ChartMogul keeps a
 * past-due customer in MRR until it churns). Trialing is not MRR — nothing has been paid and a trial
 * may never convert; its row keeps `mrr_minor` 0 (webhooks) and MRR reports count trials separately.
 * Unpaid, paused, incomplete and ended subscriptions are 0 as well.
 */
export const MRR_STATUSES: readonly ["active", "past_due"] = ["active", "past_due"];

/** True when a subscription in `status` contributes its normalised amount to MRR ({@link MRR_STATUSES}). */
export function countsAsMrr(status: string): boolean {
  return (MRR_STATUSES as readonly string[]).includes(status);
}

/**
 * A minor-unit amount as text, e.g. formatMinor(123456, "USD") === "$1,234.56" and
 * formatMinor(1200, "JPY") === "¥1,200" (en-US; the minor-unit digits come from Intl's currency
 * data — 0 for JPY, 3 for BHD — never a fixed /100). For notices and timelines: the division is
 * for display only, amounts stay integers everywhere else. An unknown currency code gives
 * "<minor> <code> (minor units)".
 */
export function formatMinor(minor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/**
 * MRR and ARR movement (issue 7 "Web": MRR/ARR and its movement — new, expansion, contraction,
 * churn — per month), from `bil_mrr_changes`: one row per change of a tenant's normalised monthly
 * recurring amount, written by the billing webhooks.
 *
 * A tenant's MRR at an instant `t` is `to_mrr_minor` of its latest change with `occurred_at < t`
 * (before its first change: that change's `from_mrr_minor`, normally 0). Months are UTC calendar
 * months [first instant, first instant of the next month): a change at exactly 00:00:00.000Z on the
 * 1st belongs to the month it opens. Currencies are separate series and are never added together
 * (a tenant that moves from EUR to USD churns in EUR and is new in USD).
 *
 * Each month, every tenant's MRR at the month's start `s` is compared with its MRR at the month's
 * end `e` (one movement per tenant and month, as ChartMogul's per-customer counts and Net MRR
 * Movements do), with the movement types of ChartMogul ("Chart Data" / "Data Table and MRR
 * Movements", help.chartmogul.com/hc/en-us/articles/203299912) and Baremetrics ("Reactivation MRR",
 * baremetrics.com/blog/reactivating-subscriptions-reactivating-and-resuming-metrics-for-your-subscriptions):
 *
 * | s → e            | type                                                         | amount  |
 * | ---------------- | ------------------------------------------------------------ | ------- |
 * | 0 → > 0          | **new business** when the tenant never had MRR before `s`    | e       |
 * | 0 → > 0          | **reactivation** when it had MRR at some time before `s`     | e       |
 * | > 0 → > s        | **expansion**                                                | e − s   |
 * | > 0 → (0, s)     | **contraction**                                              | s − e   |
 * | > 0 → 0          | **churn**                                                    | s       |
 *
 * so `start + new + reactivation + expansion − contraction − churn = end` holds for every month and
 * currency. Changes inside a month that cancel out (an upgrade undone before the month ends, a
 * sign-up cancelled in the same month) make no movement that month, but MRR held inside a month does
 * count as "had MRR before" for later months. ARR is the annual run rate, `end MRR × 12`.
 * All arithmetic is on integer minor units.
 */
import type { Db } from "@fleetcore/db";
import type { MrrCurrent, MrrCurrentTotals, MrrMonth, MrrMovement } from "@fleetcore/validators";
import { DomainError } from "../errors";
import { MRR_STATUSES } from "./money";

/** Default number of months of `mrrMovement` (the 12 ending with the current month). */
export const MRR_DEFAULT_MONTHS = 12;

/** One `bil_mrr_changes` row, as the movement report reads it. */
export interface MrrChangeInput {
  tenantId: string;
  /** ISO 4217, upper case. */
  currency: string;
  occurredAt: Date;
  fromMrrMinor: number;
  toMrrMinor: number;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The first instant (UTC) of a "YYYY-MM" month shifted by `offset` months.
 * @throws DomainError invalid — not a "YYYY-MM" month
 */
export function monthStartUtc(month: string, offset = 0): Date {
  const m = MONTH_RE.exec(month);
  if (!m) throw new DomainError("invalid", `"${month}" is not a month (YYYY-MM)`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1 + offset, 1));
}

/** The UTC calendar month of an instant, "YYYY-MM". */
export function utcMonthOf(at: Date): string {
  return `${String(at.getUTCFullYear()).padStart(4, "0")}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * The movement report from a list of changes (pure; {@link mrrMovement} loads them). `changes` may
 * come in any order; changes of one tenant at the same instant apply in the order given. Changes at
 * or after the last month's end are ignored. Output shapes: `ZMrrMovement` in
 * packages/validators/src/billingMetrics.ts.
 * @throws DomainError invalid — a bad month, or `months` outside 1–36
 */
export function computeMrrMovement(changes: readonly MrrChangeInput[], fromMonth: string, months: number): MrrMovement {
  if (!Number.isInteger(months) || months < 1 || months > 36) {
    throw new DomainError("invalid", "months must be an integer from 1 to 36");
  }
  const bounds = Array.from({ length: months + 1 }, (_, i) => monthStartUtc(fromMonth, i).getTime());
  const end = bounds[months] ?? 0;

  // Each tenant's changes per currency, in time order (stable: same-instant changes keep their order).
  const series = new Map<string, MrrChangeInput[]>();
  for (const c of changes) {
    if (c.occurredAt.getTime() >= end) continue;
    const key = `${c.currency}\u0000${c.tenantId}`;
    const list = series.get(key);
    if (list) list.push(c);
    else series.set(key, [c]);
  }

  const currencies = [...new Set([...series.values()].map((list) => list[0]?.currency ?? ""))].sort();
  const rows = new Map<string, MrrMonth>();
  const row = (i: number, currency: string): MrrMonth => {
    const key = `${i}\u0000${currency}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        month: utcMonthOf(new Date(bounds[i] ?? 0)),
        currency,
        startMrrMinor: 0,
        newMinor: 0,
        expansionMinor: 0,
        contractionMinor: 0,
        churnMinor: 0,
        reactivationMinor: 0,
        endMrrMinor: 0,
        arrMinor: 0,
        customersStart: 0,
        customersEnd: 0,
        newCustomers: 0,
        churnedCustomers: 0,
        reactivatedCustomers: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (let i = 0; i < months; i += 1) for (const currency of currencies) row(i, currency);

  for (const list of series.values()) {
    list.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const currency = list[0]?.currency ?? "";
    // The tenant's MRR, and whether it ever had any, just before each month boundary.
    let mrr = list[0]?.fromMrrMinor ?? 0;
    let everPaid = mrr > 0;
    let next = 0;
    const at: { mrr: number; everPaid: boolean }[] = [];
    for (const bound of bounds) {
      for (; next < list.length && (list[next]?.occurredAt.getTime() ?? end) < bound; next += 1) {
        const c = list[next] as MrrChangeInput;
        everPaid ||= c.fromMrrMinor > 0 || c.toMrrMinor > 0;
        mrr = c.toMrrMinor;
      }
      at.push({ mrr, everPaid });
    }
    for (let i = 0; i < months; i += 1) {
      const s = at[i]?.mrr ?? 0;
      const e = at[i + 1]?.mrr ?? 0;
      const r = row(i, currency);
      r.startMrrMinor += s;
      r.endMrrMinor += e;
      if (s > 0) r.customersStart += 1;
      if (e > 0) r.customersEnd += 1;
      if (s === 0 && e > 0) {
        if (at[i]?.everPaid) {
          r.reactivationMinor += e;
          r.reactivatedCustomers += 1;
        } else {
          r.newMinor += e;
          r.newCustomers += 1;
        }
      } else if (s > 0 && e === 0) {
        r.churnMinor += s;
        r.churnedCustomers += 1;
      } else if (e > s) {
        r.expansionMinor += e - s;
      } else if (e < s) {
        r.contractionMinor += s - e;
      }
    }
  }

  const out: MrrMonth[] = [];
  for (let i = 0; i < months; i += 1) {
    for (const currency of currencies) {
      const r = row(i, currency);
      r.arrMinor = r.endMrrMinor * 12;
      out.push(r);
    }
  }
  return {
    fromMonth: utcMonthOf(new Date(bounds[0] ?? 0)),
    toMonth: utcMonthOf(new Date(bounds[months - 1] ?? 0)),
    currencies,
    months: out,
  };
}

/**
 * MRR movement per UTC calendar month and currency over `months` months (1–36, default 12) from
 * `fromMonth` ("YYYY-MM"; default: the months ending with the current one). Reads every
 * `bil_mrr_changes` row before the last month's end; `db` must be a provider or system scope (RLS
 * hides the table from tenants). Definitions: this module's header; shapes: `ZMrrMovement`.
 * @throws DomainError invalid — a bad month, or `months` outside 1–36
 */
export async function mrrMovement(
  db: Db,
  req: { fromMonth?: string; months?: number },
  now: Date = new Date(),
): Promise<MrrMovement> {
  const months = req.months ?? MRR_DEFAULT_MONTHS;
  const fromMonth = req.fromMonth ?? utcMonthOf(monthStartUtc(utcMonthOf(now), 1 - months));
  const end = monthStartUtc(fromMonth, months);
  const changes = await db.bilMrrChange.findMany({
    where: { occurredAt: { lt: end } },
    select: { tenantId: true, currency: true, occurredAt: true, fromMrrMinor: true, toMrrMinor: true },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  return computeMrrMovement(changes, fromMonth, months);
}

/**
 * The subscriptions {@link mrrCurrent} reads: those carrying MRR ({@link MRR_STATUSES}: active,
 * past_due) plus trialing ones, which are counted (`trialing`) but add nothing (their mrr_minor is 0).
 */
const CURRENT_STATUSES = [...MRR_STATUSES, "trialing"] as const;

/**
 * Current MRR and ARR per currency from the subscriptions as Stripe last reported them: the sum of
 * `mrr_minor` (normalised monthly amount, 0 while trialing) of active, past-due and trialing
 * subscriptions, with subscription counts by those statuses. ARR = MRR × 12. Currencies without a
 * live subscription are left out; sorted by currency. `db`: a provider or system scope.
 */
export async function mrrCurrent(db: Db, now: Date = new Date()): Promise<MrrCurrentTotals> {
  const rows = await db.bilTenantSubscription.findMany({
    where: { status: { in: [...CURRENT_STATUSES] } },
    select: { tenantId: true, status: true, currency: true, mrrMinor: true },
  });
  const byCurrency = new Map<string, MrrCurrent & { paying: Set<string> }>();
  for (const s of rows) {
    let c = byCurrency.get(s.currency);
    if (!c) {
      c = {
        currency: s.currency,
        mrrMinor: 0,
        arrMinor: 0,
        payingCustomers: 0,
        active: 0,
        trialing: 0,
        pastDue: 0,
        paying: new Set(),
      };
      byCurrency.set(s.currency, c);
    }
    c.mrrMinor += s.mrrMinor;
    if (s.mrrMinor > 0) c.paying.add(s.tenantId);
    if (s.status === "active") c.active += 1;
    else if (s.status === "trialing") c.trialing += 1;
    else c.pastDue += 1;
  }
  const currencies = [...byCurrency.values()]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map(({ paying, ...c }) => ({ ...c, arrMinor: c.mrrMinor * 12, payingCustomers: paying.size }));
  return { asOf: now, currencies };
}

/**
 * `/admin/billing`: billing for provider staff (issue 7 "Web"): MRR and ARR per currency, the MRR
 * movement per month (new, expansion, reactivation up; contraction, churn down; end MRR as a line)
 * as a chart and a table, subscriptions across tenants (past due highlighted), plan management
 * (create, edit, archive, sync to Stripe) and the dunning grace period.
 *
 * Data: `billingMetrics.*` (definitions in packages/core/src/billing/mrr.ts) and `billingAdmin.*`.
 * The chart's currency and month range live in the URL (`?currency=EUR&from=2026-01&months=12`).
 * Currencies are never added together. Loaded lazily (recharts) from App.tsx.
 */
import {
  type BillingPlan,
  type MrrMovement,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
  type UpdateBillingPlanRequest,
} from "@fleetcore/validators";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Kpi } from "../../components/analytics";
import { useSignedIn } from "../../components/Guards";
import { ConfirmAction, DataTable, ErrorAlert, QueryTable } from "../../components/ui";
import {
  billingStatusClass,
  chartMajor,
  formatMinor,
  monthLabel,
  parseMajorInput,
  SUBSCRIPTION_STATUS_LABELS,
  utcMonth,
} from "../../lib/billing";
import { formatDate } from "../../lib/format";
import { formatChartMoney, minorDigits, moneyInputValue } from "../../lib/money";
import { useTRPC } from "../../lib/trpc";
import { AdminNav } from "./AdminNav";

const MONTH_CHOICES = [3, 6, 12, 24, 36];
/** Legend order: gains, losses, then the line. */
const LEGEND_ORDER = ["new", "expansion", "reactivation", "contraction", "churn", "end"];
const COLORS = {
  new: "#0f766e",
  expansion: "#2563eb",
  reactivation: "#7c3aed",
  contraction: "#f59e0b",
  churn: "#b42318",
  end: "#1f2933",
};
/** Largest price a plan accepts, minor units (the API's ZPriceMinor). */
const MAX_PRICE_MINOR = 99_999_999;
/** Why other staff see the change buttons disabled (billingAdmin changes need the admin staff role). */
const ADMINS_ONLY = "Only provider admins can change plans and billing settings.";

/** Whether the signed-in staff member may change billing (the `admin` staff role). */
function useBillingAdmin(): boolean {
  return useSignedIn().provider?.role === "admin";
}

export function BillingAdminPage() {
  const trpc = useTRPC();
  const isAdmin = useBillingAdmin();
  const settings = useQuery(trpc.billingAdmin.settings.get.queryOptions());
  return (
    <>
      <AdminNav />
      <section className="panel">
        <div className="panel-head">
          <h1>Billing</h1>
        </div>
        {settings.data && !settings.data.configured && (
          <p className="warning" role="status">
            Stripe is not configured on this server (no STRIPE_SECRET_KEY): plans can be prepared here, but they cannot
            be synced to Stripe and tenants cannot subscribe.
          </p>
        )}
        {!isAdmin && <p className="muted hint">{ADMINS_ONLY} You can see everything here.</p>}
        <CurrentMrr />
      </section>
      <MrrMovementSection />
      <SubscriptionsSection />
      <PlansSection configured={settings.data?.configured ?? false} />
      <SettingsSection />
    </>
  );
}

/** MRR/ARR and subscription counts per currency, from the live subscriptions. */
function CurrentMrr() {
  const trpc = useTRPC();
  const current = useQuery(trpc.billingMetrics.current.queryOptions());
  return (
    <>
      <ErrorAlert error={current.error} />
      {current.data && current.data.currencies.length === 0 && (
        <p className="muted">No live subscriptions yet: MRR is zero.</p>
      )}
      {current.data?.currencies.map((c) => (
        <section key={c.currency} className="analytics-kpis" aria-label={`Current MRR, ${c.currency}`}>
          <Kpi label={`MRR (${c.currency})`} value={formatMinor(c.mrrMinor, c.currency)} />
          <Kpi label={`ARR (${c.currency})`} value={formatMinor(c.arrMinor, c.currency)} hint="MRR × 12" />
          <Kpi label="Paying tenants" value={c.payingCustomers} />
          <Kpi label="Active" value={c.active} />
          <Kpi label="Trialing" value={c.trialing} />
          <Kpi label="Past due" value={c.pastDue} />
        </section>
      ))}
    </>
  );
}

/** The movement report: filters in the URL, a chart and a table for one currency. */
function MrrMovementSection() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const monthsParam = Number.parseInt(params.get("months") ?? "", 10);
  const months = MONTH_CHOICES.includes(monthsParam) ? monthsParam : 12;
  const fromParam = params.get("from") ?? "";
  const from = /^\d{4}-(0[1-9]|1[0-2])$/.test(fromParam) ? fromParam : utcMonth(1 - months);
  const report = useQuery(
    trpc.billingMetrics.mrr.queryOptions({ fromMonth: from, months }, { placeholderData: keepPreviousData }),
  );
  const currencies = report.data?.currencies ?? [];
  const currencyParam = params.get("currency") ?? "";
  const currency = currencies.includes(currencyParam) ? currencyParam : (currencies[0] ?? "");
  const update = (key: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );
  return (
    <>
      <section className="panel">
        <h2>MRR movement</h2>
        <search className="filters">
          <label>
            Currency
            <select value={currency} onChange={(e) => update("currency", e.target.value)} disabled={!currencies.length}>
              {currencies.length === 0 && <option value="">—</option>}
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            From month
            <input type="month" value={from} onChange={(e) => e.target.value && update("from", e.target.value)} />
          </label>
          <label>
            Months
            <select value={months} onChange={(e) => update("months", e.target.value)}>
              {MONTH_CHOICES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        </search>
        <p className="muted hint">
          Each tenant's MRR at the start and end of every UTC month: new (first MRR ever), reactivation (MRR again after
          churning), expansion (up), contraction (down, still paying), churn (down to zero). Start + new + reactivation
          + expansion − contraction − churn = end. ARR = end MRR × 12.
        </p>
        <ErrorAlert error={report.error} />
        {report.isPending && <p className="muted">Loading…</p>}
        {report.data && currencies.length === 0 && <p className="muted">No MRR changes recorded yet.</p>}
      </section>
      {report.data && currency && <MrrChart report={report.data} currency={currency} />}
      {report.data && currency && <MrrTable report={report.data} currency={currency} />}
    </>
  );
}

function MrrChart({ report, currency }: { report: MrrMovement; currency: string }) {
  const data = useMemo(
    () =>
      report.months
        .filter((r) => r.currency === currency)
        .map((r) => ({
          label: monthLabel(r.month),
          new: chartMajor(r.newMinor, currency),
          expansion: chartMajor(r.expansionMinor, currency),
          reactivation: chartMajor(r.reactivationMinor, currency),
          contraction: -chartMajor(r.contractionMinor, currency),
          churn: -chartMajor(r.churnMinor, currency),
          end: chartMajor(r.endMrrMinor, currency),
        })),
    [report, currency],
  );
  const axis = (v: number) => formatChartMoney(v, currency, { compact: true });
  const tooltip = (v: unknown) => formatChartMoney(v, currency);
  return (
    <figure className="panel analytics-chart" aria-label={`MRR movement chart, ${currency}`}>
      <figcaption>
        <h2>MRR movement, {currency}</h2>
        <p className="muted hint">Gains above zero, losses below; the line is MRR at each month's end.</p>
      </figcaption>
      <ResponsiveContainer width="100%" height={320}>
        <ComposedChart data={data} stackOffset="sign">
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={8} />
          <YAxis tickFormatter={axis} width={80} />
          <Tooltip formatter={tooltip} />
          <Legend itemSorter={(item) => LEGEND_ORDER.indexOf(String(item.dataKey))} />
          <ReferenceLine y={0} stroke="#98a2b3" />
          <Bar dataKey="new" name="New" stackId="mrr" fill={COLORS.new} />
          <Bar dataKey="expansion" name="Expansion" stackId="mrr" fill={COLORS.expansion} />
          <Bar dataKey="reactivation" name="Reactivation" stackId="mrr" fill={COLORS.reactivation} />
          <Bar dataKey="contraction" name="Contraction" stackId="mrr" fill={COLORS.contraction} />
          <Bar dataKey="churn" name="Churn" stackId="mrr" fill={COLORS.churn} />
          <Line dataKey="end" name="End MRR" stroke={COLORS.end} strokeWidth={2} type="linear" />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

function MrrTable({ report, currency }: { report: MrrMovement; currency: string }) {
  const rows = report.months.filter((r) => r.currency === currency);
  const m = (minor: number) => formatMinor(minor, currency);
  return (
    <section className="panel">
      <h2>By month, {currency}</h2>
      <DataTable
        rows={rows}
        label="MRR movement"
        head={
          <>
            <th>Month</th>
            <th className="num">Start MRR</th>
            <th className="num">New</th>
            <th className="num">Expansion</th>
            <th className="num">Reactivation</th>
            <th className="num">Contraction</th>
            <th className="num">Churn</th>
            <th className="num">End MRR</th>
            <th className="num">ARR</th>
            <th className="num">Tenants</th>
          </>
        }
      >
        {(list) =>
          list.map((r) => (
            <tr key={r.month}>
              <td>{monthLabel(r.month)}</td>
              <td className="num">{m(r.startMrrMinor)}</td>
              <td className="num">{r.newMinor ? `${m(r.newMinor)} (${r.newCustomers})` : "—"}</td>
              <td className="num">{r.expansionMinor ? m(r.expansionMinor) : "—"}</td>
              <td className="num">
                {r.reactivationMinor ? `${m(r.reactivationMinor)} (${r.reactivatedCustomers})` : "—"}
              </td>
              <td className="num">{r.contractionMinor ? `−${m(r.contractionMinor)}` : "—"}</td>
              <td className="num">{r.churnMinor ? `−${m(r.churnMinor)} (${r.churnedCustomers})` : "—"}</td>
              <td className="num">
                <strong>{m(r.endMrrMinor)}</strong>
              </td>
              <td className="num">{m(r.arrMinor)}</td>
              <td className="num">
                {r.customersStart} → {r.customersEnd}
              </td>
            </tr>
          ))
        }
      </DataTable>
    </section>
  );
}

function isStatus(v: string): v is SubscriptionStatus {
  return (SUBSCRIPTION_STATUSES as readonly string[]).includes(v);
}

/** Subscriptions across tenants, newest first, filtered by status; past due highlighted. */
function SubscriptionsSection() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<SubscriptionStatus | "">("");
  const subs = useQuery(
    trpc.billingAdmin.subscriptions.list.queryOptions(status ? { status } : {}, {
      placeholderData: keepPreviousData,
    }),
  );
  return (
    <section className="panel">
      <h2>Subscriptions</h2>
      <div className="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(isStatus(e.target.value) ? e.target.value : "")}>
            <option value="">All statuses</option>
            {SUBSCRIPTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SUBSCRIPTION_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryTable
        query={subs}
        label="Subscriptions"
        empty="No subscriptions."
        head={
          <>
            <th>Tenant</th>
            <th>Plan</th>
            <th>Status</th>
            <th className="num">MRR</th>
            <th>Period ends</th>
            <th>Stripe</th>
          </>
        }
      >
        {(rows) =>
          rows.map((s) => (
            <tr key={s.stripeSubscriptionId} className={s.status === "past_due" ? "billing-row-past-due" : undefined}>
              <td>
                <Link to={`/admin/tenants/${s.tenantId}`}>{s.tenantName}</Link>
              </td>
              <td>
                {s.planName ?? "—"} <span className="muted">({s.interval === "year" ? "yearly" : "monthly"})</span>
              </td>
              <td>
                <span className={`status ${billingStatusClass(s.status)}`}>{SUBSCRIPTION_STATUS_LABELS[s.status]}</span>
                {s.pastDueSince && <span className="tag tag-bad">since {formatDate(s.pastDueSince)}</span>}
                {s.cancelAtPeriodEnd && <span className="tag">cancels at period end</span>}
              </td>
              <td className="num">{formatMinor(s.mrrMinor, s.currency)}</td>
              <td>{formatDate(s.currentPeriodEnd)}</td>
              <td className="mono small">{s.stripeSubscriptionId}</td>
            </tr>
          ))
        }
      </QueryTable>
    </section>
  );
}

/** Plans: the list with Stripe ids and actions, and the create/edit form. */
function PlansSection({ configured }: { configured: boolean }) {
  const trpc = useTRPC();
  const isAdmin = useBillingAdmin();
  const queryClient = useQueryClient();
  const plans = useQuery(trpc.billingAdmin.plans.list.queryOptions());
  const [editing, setEditing] = useState<BillingPlan | "new" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.billingAdmin.plans.list.queryKey() });
  const sync = useMutation(trpc.billingAdmin.plans.syncToStripe.mutationOptions({ onSettled: refresh }));
  const archive = useMutation(trpc.billingAdmin.plans.archive.mutationOptions({ onSuccess: refresh }));
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Plans</h2>
        <button
          type="button"
          onClick={() => setEditing("new")}
          disabled={!isAdmin || editing === "new"}
          title={isAdmin ? undefined : ADMINS_ONLY}
        >
          New plan
        </button>
      </div>
      {editing && (
        <PlanForm
          key={editing === "new" ? "new" : editing.id}
          plan={editing === "new" ? null : editing}
          onDone={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
      <ErrorAlert error={sync.error ?? archive.error} />
      <div className="billing-plans-list">
        <QueryTable
          query={plans}
          label="Plans"
          empty="No plans yet. Create one to start selling."
          head={
            <>
              <th>Plan</th>
              <th className="num">Monthly</th>
              <th className="num">Yearly</th>
              <th className="num">Included</th>
              <th className="num">Overage / vehicle</th>
              <th>Flags</th>
              <th>Stripe</th>
              <th className="num">Subscriptions</th>
              <th aria-label="Actions" />
            </>
          }
        >
          {(rows) =>
            rows.map((p) => (
              <tr key={p.id}>
                <td>
                  <strong>{p.name}</strong> <span className="mono small muted">{p.code}</span>
                  <span className="tag">v{p.version}</span>
                  {Object.keys(p.features).length > 0 && (
                    <div className="muted small">
                      {Object.entries(p.features)
                        .map(([k, v]) => `${k}: ${String(v)}`)
                        .join(" · ")}
                    </div>
                  )}
                </td>
                <td className="num">{formatMinor(p.monthlyPriceMinor, p.currency)}</td>
                <td className="num">
                  {p.yearlyPriceMinor === null ? "—" : formatMinor(p.yearlyPriceMinor, p.currency)}
                </td>
                <td className="num">
                  {p.includedVehicles} vehicles · {p.includedDrivers} drivers
                </td>
                <td className="num">{formatMinor(p.overagePerVehicleMinor, p.currency)}</td>
                <td>
                  <span className={`tag ${p.isActive ? "tag-ok" : ""}`}>{p.isActive ? "active" : "archived"}</span>
                  <span className="tag">{p.isPublic ? "public" : "private"}</span>
                </td>
                <td className="mono small">
                  {p.stripeProductId ? (
                    <>
                      <div>{p.stripeProductId}</div>
                      {p.stripeMonthlyPriceId && <div>{p.stripeMonthlyPriceId} (month)</div>}
                      {p.stripeYearlyPriceId && <div>{p.stripeYearlyPriceId} (year)</div>}
                      {p.stripeOveragePriceId && <div>{p.stripeOveragePriceId} (overage)</div>}
                    </>
                  ) : null}
                  {!p.syncedToStripe && <span className="tag tag-bad">not synced</span>}
                </td>
                <td className="num">{p.activeSubscriptions}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Edit ${p.name}`}
                    disabled={!isAdmin}
                    title={isAdmin ? undefined : ADMINS_ONLY}
                    onClick={() => setEditing(p)}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Sync ${p.name} to Stripe`}
                    disabled={!isAdmin || !configured || sync.isPending}
                    title={!isAdmin ? ADMINS_ONLY : configured ? undefined : "Stripe is not configured on this server"}
                    onClick={() => sync.mutate({ id: p.id })}
                  >
                    Sync to Stripe
                  </button>
                  {p.isActive && isAdmin && (
                    <ConfirmAction
                      mutation={archive}
                      input={{ id: p.id }}
                      action="Archive"
                      subject={p.name}
                      consequence="No new subscriptions; existing ones keep it."
                    />
                  )}
                </td>
              </tr>
            ))
          }
        </QueryTable>
      </div>
    </section>
  );
}

/** A plan's features as JSON for editing. */
function featuresText(features: Record<string, unknown>): string {
  return Object.keys(features).length === 0 ? "{}" : JSON.stringify(features, null, 2);
}

/** Parses the features JSON: an object of names to true/false, numbers or text; else null. */
function parseFeatures(text: string): Record<string, boolean | number | string> | null {
  try {
    const value: unknown = JSON.parse(text.trim() || "{}");
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    for (const v of Object.values(value)) {
      if (!["boolean", "number", "string"].includes(typeof v)) return null;
    }
    return value as Record<string, boolean | number | string>;
  } catch {
    return null;
  }
}

/** Create (plan null) or edit a plan. Prices are typed in major units and sent as integer minor units. */
function PlanForm({ plan, onDone }: { plan: BillingPlan | null; onDone: () => void }) {
  const trpc = useTRPC();
  const [code, setCode] = useState("");
  const [currency, setCurrency] = useState(plan?.currency ?? "EUR");
  const [name, setName] = useState(plan?.name ?? "");
  const [description, setDescription] = useState(plan?.description ?? "");
  const money = (minor: number | null | undefined, cur: string) =>
    minor === null || minor === undefined ? "" : moneyInputValue(BigInt(minor), cur);
  const [monthly, setMonthly] = useState(plan ? money(plan.monthlyPriceMinor, plan.currency) : "");
  const [yearly, setYearly] = useState(plan ? money(plan.yearlyPriceMinor, plan.currency) : "");
  const [overage, setOverage] = useState(plan ? money(plan.overagePerVehicleMinor, plan.currency) : "");
  const [vehicles, setVehicles] = useState(String(plan?.includedVehicles ?? 10));
  const [drivers, setDrivers] = useState(String(plan?.includedDrivers ?? 10));
  const [features, setFeatures] = useState(featuresText(plan?.features ?? {}));
  const [isPublic, setIsPublic] = useState(plan?.isPublic ?? true);
  const [isActive, setIsActive] = useState(plan?.isActive ?? true);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(trpc.billingAdmin.plans.create.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.billingAdmin.plans.update.mutationOptions({ onSuccess: onDone }));
  const pending = create.isPending || update.isPending;
  const title = plan ? `Edit ${plan.name}` : "New plan";

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const cur = (plan?.currency ?? currency).trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(cur)) return setProblem("Enter the currency as an ISO 4217 code, e.g. EUR.");
    const digits = minorDigits(cur);
    const amount = (text: string, label: string, optional: boolean): number | null | "bad" => {
      if (optional && !text.trim()) return null;
      const minor = parseMajorInput(text, cur, MAX_PRICE_MINOR);
      if (minor === null) {
        setProblem(`${label}: enter an amount of ${cur} with at most ${digits} decimals.`);
        return "bad";
      }
      return minor;
    };
    const monthlyMinor = amount(monthly, "Monthly price", false);
    if (monthlyMinor === "bad") return;
    const yearlyMinor = amount(yearly, "Yearly price", true);
    if (yearlyMinor === "bad") return;
    const overageMinor = amount(overage, "Overage per vehicle", false);
    if (overageMinor === "bad") return;
    const includedVehicles = Number.parseInt(vehicles, 10);
    const includedDrivers = Number.parseInt(drivers, 10);
    if (!(includedVehicles >= 0) || !(includedDrivers >= 0)) {
      return setProblem("Included vehicles and drivers must be whole numbers, 0 or more.");
    }
    const parsedFeatures = parseFeatures(features);
    if (!parsedFeatures) {
      return setProblem('Features must be a JSON object of names to true/false, numbers or text, e.g. {"sso": true}.');
    }
    setProblem(null);
    const fields = {
      name: name.trim(),
      description: description.trim() || null,
      monthlyPriceMinor: monthlyMinor ?? 0,
      yearlyPriceMinor: yearlyMinor,
      includedVehicles,
      includedDrivers,
      overagePerVehicleMinor: overageMinor ?? 0,
      features: parsedFeatures,
      isPublic,
    };
    if (!plan) {
      create.mutate({ code: code.trim(), currency: cur, ...fields });
      return;
    }
    // Only what changed: an unchanged price must not bump the plan's version.
    const changes: UpdateBillingPlanRequest = { id: plan.id };
    if (fields.name !== plan.name) changes.name = fields.name;
    if (fields.description !== plan.description) changes.description = fields.description;
    if (fields.monthlyPriceMinor !== plan.monthlyPriceMinor) changes.monthlyPriceMinor = fields.monthlyPriceMinor;
    if (fields.yearlyPriceMinor !== plan.yearlyPriceMinor) changes.yearlyPriceMinor = fields.yearlyPriceMinor;
    if (fields.includedVehicles !== plan.includedVehicles) changes.includedVehicles = fields.includedVehicles;
    if (fields.includedDrivers !== plan.includedDrivers) changes.includedDrivers = fields.includedDrivers;
    if (fields.overagePerVehicleMinor !== plan.overagePerVehicleMinor) {
      changes.overagePerVehicleMinor = fields.overagePerVehicleMinor;
    }
    if (JSON.stringify(fields.features) !== JSON.stringify(plan.features)) changes.features = fields.features;
    if (isPublic !== plan.isPublic) changes.isPublic = isPublic;
    if (isActive !== plan.isActive) changes.isActive = isActive;
    update.mutate(changes);
  };

  const priceHint = `in ${(plan?.currency ?? currency).toUpperCase() || "the currency"}, e.g. 49.00`;
  return (
    <form className="grid-form billing-plan-form" aria-label={title} onSubmit={onSubmit}>
      <h3 className="span-all">{title}</h3>
      {!plan && (
        <label>
          Code
          <input value={code} onChange={(e) => setCode(e.target.value)} required placeholder="fleet-pro" />
        </label>
      )}
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </label>
      <label>
        Currency
        <input
          value={plan?.currency ?? currency}
          onChange={(e) => setCurrency(e.target.value.toUpperCase())}
          disabled={plan !== null}
          required
          maxLength={3}
          title={plan ? "A plan's currency cannot change" : undefined}
        />
      </label>
      <label>
        Monthly price
        <input
          value={monthly}
          onChange={(e) => setMonthly(e.target.value)}
          inputMode="decimal"
          required
          title={priceHint}
        />
      </label>
      <label>
        Yearly price
        <input
          value={yearly}
          onChange={(e) => setYearly(e.target.value)}
          inputMode="decimal"
          placeholder="none"
          title={priceHint}
        />
      </label>
      <label>
        Overage per vehicle
        <input
          value={overage}
          onChange={(e) => setOverage(e.target.value)}
          inputMode="decimal"
          required
          title={`per extra active vehicle per month, ${priceHint}`}
        />
      </label>
      <label>
        Included vehicles
        <input type="number" min={0} value={vehicles} onChange={(e) => setVehicles(e.target.value)} required />
      </label>
      <label>
        Included drivers
        <input type="number" min={0} value={drivers} onChange={(e) => setDrivers(e.target.value)} required />
      </label>
      <label className="span-all">
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
      </label>
      <label className="span-all">
        Features (JSON)
        <textarea className="mono" rows={4} value={features} onChange={(e) => setFeatures(e.target.value)} />
      </label>
      <label className="inline-check">
        <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} /> Public
      </label>
      {plan && (
        <label className="inline-check">
          <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} /> Active
        </label>
      )}
      <p className="muted hint span-all">
        Prices in major units ({priceHint}); stored as integer minor units. Changing a price makes a new plan version
        with new Stripe Prices at the next sync; current subscribers keep theirs.
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorAlert error={create.error ?? update.error} />
      <div className="actions">
        <button type="submit" disabled={pending}>
          {plan ? "Save plan" : "Create plan"}
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The dunning grace period, Stripe's configuration state and a manual usage report. */
function SettingsSection() {
  const trpc = useTRPC();
  const isAdmin = useBillingAdmin();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.billingAdmin.settings.get.queryOptions());
  const [days, setDays] = useState<string | null>(null);
  const save = useMutation(
    trpc.billingAdmin.settings.update.mutationOptions({
      onSuccess: async () => {
        setDays(null);
        await queryClient.invalidateQueries({ queryKey: trpc.billingAdmin.settings.get.queryKey() });
      },
    }),
  );
  const report = useMutation(trpc.billingAdmin.usage.reportNow.mutationOptions());
  const s = settings.data;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (days === null) return;
    save.mutate({ dunningGraceDays: Number.parseInt(days, 10) });
  };
  return (
    <section className="panel">
      <h2>Settings</h2>
      <ErrorAlert error={settings.error} />
      {s && (
        <>
          <form className="filters" aria-label="Billing settings" onSubmit={onSubmit}>
            <label>
              Dunning grace days
              <input
                type="number"
                min={0}
                max={90}
                required
                disabled={!isAdmin}
                title={isAdmin ? undefined : ADMINS_ONLY}
                value={days ?? String(s.dunningGraceDays)}
                onChange={(e) => setDays(e.target.value)}
              />
            </label>
            <div className="billing-settings-save">
              <button type="submit" disabled={days === null || save.isPending}>
                Save
              </button>
            </div>
          </form>
          <p className="muted hint">
            Days after the first failed payment before the tenant is suspended; paying restores it.
          </p>
          {save.isSuccess && (
            <p className="success" role="status">
              Saved.
            </p>
          )}
          <ErrorAlert error={save.error} />
          <dl className="facts">
            <dt>Stripe API key</dt>
            <dd>{s.configured ? "configured" : "not configured"}</dd>
            <dt>Webhook secret</dt>
            <dd>{s.webhooksConfigured ? "configured" : "not configured (webhooks are refused)"}</dd>
            <dt>Usage meter</dt>
            <dd className="mono">
              {s.meterEventName}
              {s.stripeMeterId ? ` · ${s.stripeMeterId}` : ""}
            </dd>
          </dl>
          <button
            type="button"
            className="button-secondary"
            disabled={!isAdmin || !s.configured || report.isPending}
            title={!isAdmin ? ADMINS_ONLY : s.configured ? undefined : "Stripe is not configured on this server"}
            onClick={() => report.mutate()}
          >
            {report.isPending ? "Reporting…" : "Report usage now"}
          </button>
          {report.data && (
            <p className="success" role="status">
              {report.data.tenants} tenants, {report.data.daysComputed} days computed, {report.data.eventsSent} meter
              events sent{report.data.failures.length > 0 ? `, ${report.data.failures.length} failed` : ""}.
            </p>
          )}
          <ErrorAlert error={report.error} />
        </>
      )}
    </section>
  );
}

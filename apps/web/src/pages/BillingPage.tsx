/**
 * `/billing`: the tenant's billing (customer-portal.md §5 "Billing & Account Management"): current
 * plan and subscription status (trial end, past-due warning with the suspension date,
 * cancel-at-period-end notice with undo), active vehicles today against the plan's included
 * vehicles, overage vehicle-days and the projected charge of this period, the next invoice, the
 * default payment method (managed in Stripe's Customer Portal), plans to subscribe to (Stripe
 * Checkout) or to change to (with Stripe's proration preview first), cancel at period end, this
 * period's daily usage and the invoice history with Stripe's hosted page and PDF.
 *
 * Data: `billing.*` (packages/api/src/routers/billing.ts). Everyone with billing:read (owners,
 * admins) sees it; only billing:write (owners) acts — other readers see the buttons disabled with
 * the reason. Without Stripe on the server (`overview.configured` false) the page says so and asks
 * for nothing else. Stripe sends the browser back to `?checkout=success|cancel`.
 */
import type {
  BillingInterval,
  BillingInvoice,
  BillingOverview,
  BillingPlanPublic,
  BillingSubscription,
} from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useSignedIn } from "../components/Guards";
import { ErrorAlert, QueryTable } from "../components/ui";
import { billingStatusClass, brandLabel, formatMinor, perInterval, SUBSCRIPTION_STATUS_LABELS } from "../lib/billing";
import { formatDate, formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** Why a reader's buttons are disabled. */
const OWNERS_ONLY = "Only the organisation's owner can change billing.";

/** Statuses after which the tenant has no subscription to manage and may subscribe again. */
const ENDED = new Set(["canceled", "incomplete_expired"]);

export function BillingPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const checkout = params.get("checkout");
  const writable = can(me, "billing", "write");
  // Suspended for non-payment: this page is all that is open, to pay (the portal); no plan changes.
  const suspended = me.activeTenant?.billingOnly === true;
  // After a successful checkout Stripe's webhooks create the subscription a few seconds later: poll until it shows.
  const overview = useQuery(
    trpc.billing.overview.queryOptions(undefined, {
      refetchInterval: (q) =>
        checkout === "success" && q.state.data?.configured && !q.state.data.subscription ? 3_000 : false,
    }),
  );
  const data = overview.data;
  const dismissCheckout = () =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.delete("checkout");
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <section className="panel">
        <div className="panel-head">
          <h1>Billing — {me.activeTenant?.name}</h1>
        </div>
        {suspended && (
          <div className="warning" role="alert">
            <strong>{me.activeTenant?.name} is suspended for non-payment.</strong>{" "}
            {data?.subscription && !ENDED.has(data.subscription.status)
              ? `Pay the overdue invoice (its "View" link below)${writable ? " or update the payment method" : ""}; access is restored as soon as Stripe reports the payment.`
              : writable
                ? "The subscription has ended: subscribe again below to restore access."
                : "The subscription has ended: an owner can subscribe again here to restore access."}
          </div>
        )}
        {overview.isPending && <p className="muted">Loading…</p>}
        <ErrorAlert error={overview.error} />
        {data?.configured && (checkout === "success" || checkout === "cancel") && (
          <CheckoutBanner outcome={checkout} waiting={!data.subscription} onDismiss={dismissCheckout} />
        )}
        {data && !data.configured && (
          <div className="billing-unconfigured" role="status">
            <h2>Billing is not configured on this Fleetcore installation</h2>
            <p className="muted">
              Plans, invoices and payment methods appear here once the Fleetcore operator connects Stripe. Everything
              else in Fleetcore works as usual.
            </p>
          </div>
        )}
        {data?.configured && !writable && <p className="muted hint">{OWNERS_ONLY} You can see everything here.</p>}
        {data?.configured && data.subscription && !ENDED.has(data.subscription.status) && (
          <SubscriptionSummary overview={data} subscription={data.subscription} writable={writable && !suspended} />
        )}
        {data?.configured && (!data.subscription || ENDED.has(data.subscription.status)) && (
          <p>Your organisation has no subscription yet. Choose a plan below to subscribe.</p>
        )}
      </section>
      {data?.configured && data.subscription && !ENDED.has(data.subscription.status) && (
        <div className="billing-grid">
          <UsagePanel overview={data} />
          <PaymentPanel overview={data} writable={writable} />
        </div>
      )}
      {data?.configured && (!suspended || !data.subscription || ENDED.has(data.subscription.status)) && (
        <PlansPanel overview={data} writable={writable} />
      )}
      {data?.configured && data.subscription && !ENDED.has(data.subscription.status) && <DailyUsage />}
      {data?.configured && <InvoicesPanel />}
    </>
  );
}

function CheckoutBanner({
  outcome,
  waiting,
  onDismiss,
}: {
  outcome: "success" | "cancel";
  waiting: boolean;
  onDismiss: () => void;
}) {
  return (
    <p className={outcome === "success" ? "billing-banner billing-banner-ok" : "warning"} role="status">
      {outcome === "success"
        ? waiting
          ? "Thank you — payment received. Stripe is confirming your subscription; this page updates in a few seconds."
          : "Thank you — your subscription is active."
        : "Checkout was cancelled; nothing was charged."}{" "}
      <button type="button" className="link-button" onClick={onDismiss}>
        Dismiss
      </button>
    </p>
  );
}

/** Plan, status and the notices that go with it (trial, past due, cancellation), with cancel/undo. */
function SubscriptionSummary({
  overview,
  subscription: s,
  writable,
}: {
  overview: BillingOverview;
  subscription: BillingSubscription;
  writable: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const setCancel = useMutation(
    trpc.billing.setCancelAtPeriodEnd.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() });
      },
    }),
  );
  const plan = overview.plan;
  // What this subscription pays (its plan version's price, as sold); null when Fleetcore does not know it.
  const price = s.baseAmountMinor;
  const olderVersion = plan !== null && s.planVersion !== null && s.planVersion < plan.version;
  return (
    <>
      <dl className="facts" aria-label="Subscription">
        <dt>Plan</dt>
        <dd>
          <strong>{plan?.name ?? "Unknown plan"}</strong>
          {price !== null && (
            <>
              {" "}
              · {formatMinor(price, s.currency)} {perInterval(s.interval)}
            </>
          )}
          {olderVersion && <span className="muted"> · your price from version {s.planVersion} of this plan</span>}
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`status ${billingStatusClass(s.status)}`}>{SUBSCRIPTION_STATUS_LABELS[s.status]}</span>
        </dd>
        <dt>Current period</dt>
        <dd>
          {formatDate(s.currentPeriodStart)} – {formatDate(s.currentPeriodEnd)}
        </dd>
        {s.status === "trialing" && (
          <>
            <dt>Trial ends</dt>
            <dd>{formatDate(s.trialEnd)}</dd>
          </>
        )}
      </dl>
      {s.status === "past_due" || s.status === "unpaid" ? (
        <p className="warning" role="alert">
          Payment failed{s.pastDueSince ? ` on ${formatDate(s.pastDueSince)}` : ""}.{" "}
          {s.suspendsAt
            ? `Update your payment method before ${formatDateTime(s.suspendsAt)}, or the organisation will be suspended.`
            : "Update your payment method to keep the service running."}
        </p>
      ) : null}
      {s.status === "incomplete" && (
        <p className="warning" role="alert">
          The first payment has not completed yet. Check your payment method in Stripe.
        </p>
      )}
      {s.cancelAtPeriodEnd ? (
        <div className="warning billing-cancel-notice" role="status">
          Your subscription ends on {formatDate(s.currentPeriodEnd)} and will not renew.{" "}
          <button
            type="button"
            className="button-secondary"
            disabled={!writable || setCancel.isPending}
            title={writable ? undefined : OWNERS_ONLY}
            onClick={() => setCancel.mutate({ cancel: false })}
          >
            Keep my subscription
          </button>
        </div>
      ) : (
        <div className="panel-actions">
          {confirming ? (
            <span className="confirm">
              Cancel at the end of the period ({formatDate(s.currentPeriodEnd)})? The service runs until then.
              <button
                type="button"
                className="button-danger"
                disabled={setCancel.isPending}
                onClick={() => setCancel.mutate({ cancel: true })}
              >
                Confirm cancellation
              </button>
              <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
                Back
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="button-secondary"
              disabled={!writable}
              title={writable ? undefined : OWNERS_ONLY}
              onClick={() => setConfirming(true)}
            >
              Cancel at period end
            </button>
          )}
        </div>
      )}
      <ErrorAlert error={setCancel.error} />
    </>
  );
}

/** Active vehicles today against the included ones, overage and the projected charge. */
function UsagePanel({ overview }: { overview: BillingOverview }) {
  const trpc = useTRPC();
  const usage = overview.usage;
  const next = overview.nextInvoice;
  // Stripe's exact preview (one Stripe call); the overview's local estimate shows until it answers.
  const upcoming = useQuery(trpc.billing.upcomingInvoice.queryOptions(undefined, { retry: false, staleTime: 60_000 }));
  const preview = upcoming.data ?? null;
  const labelId = useId();
  return (
    <section className="panel" aria-labelledby={`${labelId}-h`}>
      <h2 id={`${labelId}-h`}>This period</h2>
      {usage ? (
        <>
          <p id={labelId} className="billing-meter-label">
            Active vehicles today: <strong>{usage.activeVehiclesToday}</strong> of {usage.includedVehicles} included
            {usage.activeVehiclesToday > usage.includedVehicles && (
              <span className="tag tag-bad">{usage.activeVehiclesToday - usage.includedVehicles} over</span>
            )}
          </p>
          <progress
            className="billing-meter"
            aria-labelledby={labelId}
            max={Math.max(usage.includedVehicles, 1)}
            value={Math.min(usage.activeVehiclesToday, Math.max(usage.includedVehicles, 1))}
          />
          <dl className="facts">
            <dt>Period</dt>
            <dd>
              {formatDate(usage.periodStart)} – {formatDate(usage.periodEnd)}
            </dd>
            <dt>Overage so far</dt>
            <dd>
              {usage.overageVehicleDays} vehicle-days · {formatMinor(usage.projectedOverageMinor, usage.currency)}
            </dd>
            <dt>Projected charge</dt>
            <dd>
              <strong>{formatMinor(usage.projectedTotalMinor, usage.currency)}</strong>{" "}
              <span className="muted">(plan price + overage, before tax)</span>
            </dd>
          </dl>
        </>
      ) : (
        <p className="muted">No usage recorded for this period yet.</p>
      )}
      <h3>Next invoice</h3>
      {preview ? (
        <>
          <p>
            <strong>{formatMinor(preview.amountDueMinor, preview.currency)}</strong>
            {preview.date && <> on {formatDate(preview.date)}</>}{" "}
            <span className="muted">(Stripe's preview: prorations, discounts and tax included)</span>
          </p>
          <ul className="muted billing-upcoming-lines" aria-label="Next invoice lines">
            {preview.lines.map((l, i) => (
              // Preview lines have no stable id; they come in Stripe's order.
              <li key={i}>
                {l.description ?? "Line"}: {formatMinor(l.amountMinor, preview.currency)}
              </li>
            ))}
            {preview.discountMinor > 0 && <li>Discount: −{formatMinor(preview.discountMinor, preview.currency)}</li>}
          </ul>
        </>
      ) : next ? (
        <p>
          <strong>{formatMinor(next.amountDueMinor, next.currency)}</strong> on {formatDate(next.date)}{" "}
          <span className="muted">
            {upcoming.isPending ? "(estimate; asking Stripe…)" : "(estimate: plan price + overage, before tax)"}
          </span>
        </p>
      ) : (
        <p className="muted">No upcoming invoice.</p>
      )}
    </section>
  );
}

/** The default payment method and the way to Stripe's Customer Portal. */
function PaymentPanel({ overview, writable }: { overview: BillingOverview; writable: boolean }) {
  const trpc = useTRPC();
  const portal = useMutation(
    trpc.billing.openPortal.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }),
  );
  const pm = overview.paymentMethod;
  return (
    <section className="panel">
      <h2>Payment method</h2>
      {pm ? (
        <p className="billing-card">
          <strong>{brandLabel(pm.brand, pm.type)}</strong>
          {pm.last4 && <span className="mono"> •••• {pm.last4}</span>}
          {pm.expMonth && pm.expYear && (
            <span className="muted">
              {" "}
              · expires {String(pm.expMonth).padStart(2, "0")}/{pm.expYear}
            </span>
          )}
        </p>
      ) : (
        <p className="muted">No payment method on file.</p>
      )}
      <p className="muted hint">Cards and bank details are kept by Stripe; Fleetcore never sees card numbers.</p>
      <button
        type="button"
        className="button-secondary"
        disabled={!writable || portal.isPending || portal.isSuccess}
        title={writable ? undefined : OWNERS_ONLY}
        onClick={() => portal.mutate()}
      >
        {portal.isPending || portal.isSuccess ? "Opening Stripe…" : "Manage payment methods"}
      </button>
      <ErrorAlert error={portal.error} />
    </section>
  );
}

/** Plans to subscribe to (Stripe Checkout) or to switch to (proration preview, then confirm). */
function PlansPanel({ overview, writable }: { overview: BillingOverview; writable: boolean }) {
  const trpc = useTRPC();
  const plans = useQuery(trpc.billing.plans.queryOptions());
  const s = overview.subscription && !ENDED.has(overview.subscription.status) ? overview.subscription : null;
  const [interval, setBillingInterval] = useState<BillingInterval>(s?.interval ?? "month");
  const [changing, setChanging] = useState<BillingPlanPublic | null>(null);
  const checkout = useMutation(
    trpc.billing.startCheckout.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }),
  );
  // One request id per plan choice on this visit: a repeated click or a retry sends it again, so
  // Stripe opens one Checkout session (it is the session's idempotency key).
  const checkoutIds = useRef(new Map<string, string>());
  const checkoutId = (planId: string, i: BillingInterval) => {
    const key = `${planId}:${i}`;
    let id = checkoutIds.current.get(key);
    if (!id) {
      id = crypto.randomUUID();
      checkoutIds.current.set(key, id);
    }
    return id;
  };
  // Stripe keeps one currency per subscription: a subscriber sees the plans of its currency only.
  const offered = plans.data?.filter((p) => !s || p.currency === s.currency);
  const anyYearly = offered?.some((p) => p.yearlyPriceMinor !== null) ?? false;
  return (
    <section className="panel" aria-labelledby="billing-plans-h">
      <div className="panel-head">
        <h2 id="billing-plans-h">{s ? "Change plan" : "Plans"}</h2>
        {anyYearly && (
          <fieldset className="billing-interval">
            <legend className="sr-only">Billing interval</legend>
            {(["month", "year"] as const).map((i) => (
              <button
                key={i}
                type="button"
                className={interval === i ? undefined : "button-secondary"}
                aria-pressed={interval === i}
                onClick={() => setBillingInterval(i)}
              >
                {i === "month" ? "Monthly" : "Yearly"}
              </button>
            ))}
          </fieldset>
        )}
      </div>
      {plans.isPending && <p className="muted">Loading…</p>}
      <ErrorAlert error={plans.error} />
      {offered && offered.length === 0 && <p className="muted">No plans are offered at the moment.</p>}
      <div className="billing-plans">
        {offered?.map((p) => {
          const price = interval === "year" ? p.yearlyPriceMinor : p.monthlyPriceMinor;
          const current = s !== null && s.planId === p.id && s.interval === interval;
          const reason = !writable
            ? OWNERS_ONLY
            : !p.available
              ? "This plan is not available yet."
              : price === null
                ? "This plan has no yearly price."
                : null;
          return (
            <article key={p.id} className={`billing-plan${current ? " billing-plan-current" : ""}`} aria-label={p.name}>
              <h3>{p.name}</h3>
              {p.description && <p className="muted">{p.description}</p>}
              <p className="billing-price">
                {price === null ? (
                  <span className="muted">No yearly option</span>
                ) : (
                  <>
                    <strong>{formatMinor(price, p.currency)}</strong> {perInterval(interval)}
                  </>
                )}
              </p>
              <ul className="billing-plan-facts">
                <li>{p.includedVehicles} vehicles included</li>
                <li>{p.includedDrivers} drivers included</li>
                <li>
                  {formatMinor(p.overagePerVehicleMinor, p.currency)} per extra active vehicle per month (billed per
                  vehicle-day)
                </li>
                {Object.entries(p.features).map(([k, v]) => (
                  <li key={k}>{v === true ? k : v === false ? <s>{k}</s> : `${k}: ${String(v)}`}</li>
                ))}
              </ul>
              {current ? (
                <span className="tag tag-ok">Current plan</span>
              ) : s ? (
                <button
                  type="button"
                  className="button-secondary"
                  aria-label={`Change to ${p.name}`}
                  disabled={reason !== null}
                  title={reason ?? undefined}
                  onClick={() => setChanging(p)}
                >
                  Change to this plan
                </button>
              ) : (
                <button
                  type="button"
                  aria-label={`Subscribe to ${p.name}`}
                  disabled={reason !== null || checkout.isPending || checkout.isSuccess}
                  title={reason ?? undefined}
                  onClick={() =>
                    checkout.mutate({ planId: p.id, interval, clientRequestId: checkoutId(p.id, interval) })
                  }
                >
                  Subscribe
                </button>
              )}
            </article>
          );
        })}
      </div>
      {!s && <p className="muted">Have a promotion code? Enter it on Stripe's checkout page.</p>}
      <ErrorAlert error={checkout.error} />
      {changing && <ChangePlanDialog plan={changing} interval={interval} onClose={() => setChanging(null)} />}
    </section>
  );
}

/** Stripe's proration preview of a plan change, then the change itself. */
function ChangePlanDialog({
  plan,
  interval,
  onClose,
}: {
  plan: BillingPlanPublic;
  interval: BillingInterval;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const preview = useQuery(
    trpc.billing.previewChange.queryOptions({ planId: plan.id, interval }, { retry: false, staleTime: 0, gcTime: 0 }),
  );
  const change = useMutation(
    trpc.billing.changePlan.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.billing.invoices.queryKey() });
      },
    }),
  );
  const p = preview.data;
  return (
    <div className="billing-dialog" role="dialog" aria-modal="false" aria-labelledby={titleId}>
      <h3 id={titleId}>
        Change to {plan.name} ({interval === "year" ? "yearly" : "monthly"})
      </h3>
      {preview.isPending && <p className="muted">Asking Stripe for the proration…</p>}
      <ErrorAlert error={preview.error} />
      {p && !change.isSuccess && (
        <>
          <table aria-label="Proration preview">
            <tbody>
              {p.lines.map((l, i) => (
                // Preview lines have no id of their own; their order is Stripe's and never changes.
                <tr key={i}>
                  <td>{l.description ?? "—"}</td>
                  <td className="num">{formatMinor(l.amountMinor, p.currency)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">Proration</th>
                <td className="num">{formatMinor(p.prorationMinor, p.currency)}</td>
              </tr>
              <tr className="current">
                <th scope="row">Due now</th>
                <td className="num">
                  <strong>{formatMinor(p.amountDueMinor, p.currency)}</strong>
                </td>
              </tr>
            </tbody>
          </table>
          <p className="muted hint">
            Stripe credits the unused time of your current plan and charges the new one from today. Amounts before tax.
          </p>
        </>
      )}
      {change.isSuccess ? (
        <p className="success" role="status">
          Plan changed. The new plan shows here as soon as Stripe confirms it.
        </p>
      ) : null}
      <div className="panel-actions">
        {!change.isSuccess && (
          <button
            type="button"
            disabled={!p || change.isPending}
            onClick={() => p && change.mutate({ planId: plan.id, interval, prorationDate: p.prorationDate })}
          >
            Confirm change
          </button>
        )}
        <button type="button" className="button-secondary" onClick={onClose}>
          {change.isSuccess ? "Close" : "Cancel"}
        </button>
      </div>
      <ErrorAlert error={change.error} />
    </div>
  );
}

/** The current period's usage per day (what is reported to Stripe's meter). */
function DailyUsage() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.billing.usage.queryOptions());
  return (
    <section className="panel">
      <details>
        <summary>Daily usage this period</summary>
        <QueryTable
          query={usage}
          label="Daily usage"
          empty="No usage recorded in this period yet."
          head={
            <>
              <th>Day</th>
              <th className="num">Active vehicles</th>
              <th className="num">Over included</th>
              <th className="num">Active drivers</th>
              <th className="num">Positions</th>
              <th className="num">Messages</th>
              <th>Reported to Stripe</th>
            </>
          }
        >
          {(rows) =>
            rows.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td className="num">{d.activeVehicles}</td>
                <td className="num">{d.overageVehicles}</td>
                <td className="num">{d.activeDrivers}</td>
                <td className="num">{d.positions}</td>
                <td className="num">{d.messages}</td>
                <td>{d.reportedAt ? formatDateTime(d.reportedAt) : <span className="muted">not yet</span>}</td>
              </tr>
            ))
          }
        </QueryTable>
      </details>
    </section>
  );
}

/** Invoice history, newest first, with Stripe's links and lines on demand. */
function InvoicesPanel() {
  const trpc = useTRPC();
  const invoices = useQuery(trpc.billing.invoices.queryOptions());
  return (
    <section className="panel">
      <h2>Invoices</h2>
      <QueryTable
        query={invoices}
        label="Invoices"
        empty="No invoices yet."
        head={
          <>
            <th>Invoice</th>
            <th>Issued</th>
            <th>Period</th>
            <th>Status</th>
            <th className="num">Total</th>
            <th className="num">Paid</th>
            <th className="num">Outstanding</th>
            <th>Links</th>
            <th aria-label="Lines" />
          </>
        }
      >
        {(rows) => rows.map((inv) => <InvoiceRows key={inv.id} invoice={inv} />)}
      </QueryTable>
    </section>
  );
}

function InvoiceRows({ invoice: inv }: { invoice: BillingInvoice }) {
  const [open, setOpen] = useState(false);
  const linesId = useId();
  const name = inv.number ?? "Draft invoice";
  return (
    <>
      <tr>
        <td className="mono">{name}</td>
        <td>{formatDate(inv.issuedAt)}</td>
        <td>{inv.periodStart ? `${formatDate(inv.periodStart)} – ${formatDate(inv.periodEnd)}` : "—"}</td>
        <td>
          <span className={`status ${billingStatusClass(inv.status)}`}>{inv.status}</span>
        </td>
        <td className="num">
          {formatMinor(inv.totalMinor, inv.currency)}
          {inv.discountMinor > 0 && (
            <div className="muted">after {formatMinor(inv.discountMinor, inv.currency)} discount</div>
          )}
        </td>
        <td className="num">{formatMinor(inv.amountPaidMinor, inv.currency)}</td>
        <td className="num">{formatMinor(inv.amountDueMinor - inv.amountPaidMinor, inv.currency)}</td>
        <td className="row-actions">
          {inv.hostedInvoiceUrl && (
            <a href={inv.hostedInvoiceUrl} target="_blank" rel="noreferrer" aria-label={`View invoice ${name}`}>
              View
            </a>
          )}{" "}
          {inv.invoicePdfUrl && (
            <a href={inv.invoicePdfUrl} target="_blank" rel="noreferrer" aria-label={`PDF of invoice ${name}`}>
              PDF
            </a>
          )}
        </td>
        <td>
          {inv.lines.length > 0 && (
            <button
              type="button"
              className="link-button"
              aria-expanded={open}
              aria-controls={linesId}
              aria-label={`${open ? "Hide" : "Show"} lines of invoice ${name}`}
              onClick={() => setOpen(!open)}
            >
              {open ? "Hide lines" : `${inv.lines.length} ${inv.lines.length === 1 ? "line" : "lines"}`}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr id={linesId} className="billing-invoice-lines">
          <td colSpan={9}>
            <table aria-label={`Lines of invoice ${name}`}>
              <tbody>
                {inv.lines.map((l, i) => (
                  // Lines come in Stripe's order and carry no id in this view.
                  <tr key={i}>
                    <td>{l.description ?? l.kind}</td>
                    <td>{l.kind}</td>
                    <td className="num">{l.quantity ?? ""}</td>
                    <td className="num">{formatMinor(l.amountMinor, inv.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}

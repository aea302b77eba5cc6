/**
 * Dunning: what happens when a tenant's payment fails.
 * 1. `invoice.payment_failed` (webhook) starts the dunning clock (bil_tenant_subscriptions.past_due_since,
 *    set once, at the first failure) and notifies the tenant's owners in-app and by email;
 *    Stripe's own `customer.subscription.updated` moves the status to past_due.
 * 2. {@link runDunning} (hourly job) suspends tenants whose clock is older than
 *    bil_settings.dunning_grace_days, through the tenant lifecycle (changeTenantStatus, reason
 *    {@link DUNNING_SUSPENSION_REASON}), and tells the owners.
 * 3. `invoice.paid`, or the subscription back to active/trialing, clears the clock and reactivates
 *    a tenant suspended for non-payment — only when the tenant's latest lifecycle event is that
 *    suspension (a tenant an admin suspended for another reason stays suspended).
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import { hasPermission } from "@fleetcore/validators";
import { AuditTrail, systemActor } from "../audit/audit";
import type { EmailTransport } from "../email/transport";
import type { TenantAccess } from "../identity/access";
import { type CreatedNotification, type NotificationDraft, notify } from "../notifications/notifications";
import { changeTenantStatus } from "../tenancy/tenants";

/** The lifecycle reason of a suspension for non-payment (and how reactivation recognises it). */
export const DUNNING_SUSPENSION_REASON = "payment overdue";
/** The lifecycle reason of the reactivation after payment. */
export const DUNNING_REACTIVATION_REASON = "payment received";

const DAY_MS = 86_400_000;

/** Where email copies of notifications go (optional: without it, in-app only). */
export interface BillingEmail {
  transport: EmailTransport;
  /** Origin of the web app, for the link in the email. */
  publicUrl: string;
}

/**
 * Notifies the tenant's active owners (system role "owner") in-app and, with `email`, by email.
 * @returns the payloads to emit on the owners' rooms after commit
 */
export async function notifyTenantOwners(
  db: Db,
  tenantId: string,
  draft: Omit<NotificationDraft, "userIds" | "tenantId">,
  email?: BillingEmail,
): Promise<CreatedNotification[]> {
  const owners = await db.member.findMany({
    where: {
      tenantId,
      status: "active",
      deletedAt: null,
      roles: { some: { role: { name: "owner", tenantId: null } } },
      user: { status: "active", deletedAt: null },
    },
    select: { userId: true, user: { select: { email: true } } },
  });
  if (owners.length === 0) return [];
  return notify(
    db,
    { ...draft, tenantId, userIds: owners.map((o) => o.userId) },
    email ? { ...email, addresses: new Map(owners.map((o) => [o.userId, o.user.email])) } : undefined,
  );
}

/**
 * True when the tenant is suspended for non-payment: status suspended and its latest lifecycle event
 * the dunning suspension (reason {@link DUNNING_SUSPENSION_REASON}, made by the system, not a person). Such a tenant's owners and
 * admins may still reach billing (to pay); any other suspension locks everything.
 * @param db a scope that can read the tenant and its lifecycle events (its tenant scope, or cross-tenant)
 */
export async function isSuspendedForPayment(db: Db, tenantId: string): Promise<boolean> {
  const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null }, select: { status: true } });
  if (tenant?.status !== "suspended") return false;
  const last = await db.tenantLifecycleEvent.findFirst({
    where: { tenantId },
    orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }],
  });
  // Only the system suspends for non-payment (dunning); a person typing the same reason does not count.
  return (
    last?.eventType === "suspended" && last.reason === DUNNING_SUSPENSION_REASON && last.performedByUserId === null
  );
}

/**
 * Whether `access` may use billing while its tenant is suspended for non-payment (to pay): a member
 * (not staff, not a display) whose roles grant billing:read (owners and admins), of a tenant
 * {@link isSuspendedForPayment}. Owners (billing:write) also get the Customer Portal and, when the
 * subscription has ended, Checkout; admins can pay an invoice through its hosted link.
 * @param db the tenant's scope (or a cross-tenant one)
 */
export async function mayPayWhileSuspended(db: Db, access: TenantAccess): Promise<boolean> {
  if (access.access !== "member" || access.tenantStatus !== "suspended") return false;
  if (!hasPermission(access.permissions, "billing", "read")) return false;
  return isSuspendedForPayment(db, access.tenantId);
}

/**
 * Reactivates a tenant suspended for non-payment (latest lifecycle event = suspended with reason
 * {@link DUNNING_SUSPENSION_REASON}); any other suspension is left alone. Runs in the caller's
 * cross-tenant transaction; audited as the system.
 * @returns true when the tenant was reactivated
 */
export async function reactivateIfSuspendedForPayment(db: Db, tenantId: string): Promise<boolean> {
  if (!(await isSuspendedForPayment(db, tenantId))) return false;
  await changeTenantStatus(
    { db, audit: new AuditTrail(db, systemActor()) },
    { tenantId, status: "active", reason: DUNNING_REACTIVATION_REASON },
  );
  return true;
}

/**
 * One dunning pass: every tenant whose subscription is past_due or unpaid since at least
 * `dunningGraceDays` before `now` (and is not already suspended or closed) is suspended with
 * reason "payment overdue" (lifecycle event + audit row, system actor) and its owners notified.
 * Each tenant in its own system-scope transaction.
 * @returns the suspended tenants and the notifications to emit
 */
export async function runDunning(
  prisma: PrismaClient,
  now: Date,
  opts: { email?: BillingEmail } = {},
): Promise<{ suspended: string[]; notifications: CreatedNotification[] }> {
  const { candidates, cutoff } = await withScope(prisma, { kind: "system" }, async (db) => {
    const settings = await db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
    const cutoff = new Date(now.getTime() - settings.dunningGraceDays * DAY_MS);
    const candidates = await db.bilTenantSubscription.findMany({
      where: {
        pastDueSince: { lte: cutoff },
        status: { in: ["past_due", "unpaid"] },
        tenant: { status: { in: ["trial", "active"] }, deletedAt: null },
      },
      select: { tenantId: true, pastDueSince: true },
    });
    return { candidates, cutoff };
  });
  const suspended: string[] = [];
  const notifications: CreatedNotification[] = [];
  for (const c of new Map(candidates.map((s) => [s.tenantId, s])).values()) {
    await withScope(prisma, { kind: "system" }, async (db) => {
      // Re-check under the row lock with the same conditions: a payment may have arrived meanwhile,
      // or a newer failure restarted the clock.
      const tenant = await db.$queryRaw<{ status: string }[]>`
        SELECT status::text FROM adm_tenants WHERE id = ${c.tenantId}::uuid FOR UPDATE`;
      if (tenant[0]?.status !== "trial" && tenant[0]?.status !== "active") return;
      const still = await db.bilTenantSubscription.count({
        where: { tenantId: c.tenantId, pastDueSince: { lte: cutoff }, status: { in: ["past_due", "unpaid"] } },
      });
      if (still === 0) return;
      await changeTenantStatus(
        { db, audit: new AuditTrail(db, systemActor()) },
        { tenantId: c.tenantId, status: "suspended", reason: DUNNING_SUSPENSION_REASON },
      );
      suspended.push(c.tenantId);
      notifications.push(
        ...(await notifyTenantOwners(
          db,
          c.tenantId,
          {
            kind: "billing.suspended",
            title: "Your Fleetcore account is suspended for non-payment",
            body: "Payment has been overdue since the grace period ended. Update your payment method in the billing portal; the account is restored as soon as the invoice is paid.",
            link: "/billing",
          },
          opts.email,
        )),
      );
    });
  }
  return { suspended, notifications };
}

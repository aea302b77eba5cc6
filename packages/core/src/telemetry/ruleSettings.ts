/**
 * A tenant's event rule settings (tel_event_rules, one row per tenant, absent = defaults): the
 * default speed limit, how long a speeding must last, how long idling is allowed, and whether
 * devices going offline / coming back raise events. Changes announce themselves in-process so the
 * server's {@link DerivedEventPipeline} applies them at once.
 */
import type { Db } from "@fleetcore/db";
import type { Tx } from "../audit/audit";
import { DomainError } from "../errors";
import { recordUpdate } from "../fleet/shared";

/** A tenant's event rule settings. */
export interface TenantEventRules {
  /** Speed limit for vehicles without their own, km/h; null: none (geofence limits still apply). */
  overspeedKph: number | null;
  /** Seconds a vehicle must stay above the limit before an overspeed event (Traccar's minimalDuration). */
  overspeedMinDurationS: number;
  /** Seconds of idling (ignition on, stationary) allowed before an idle event; null: no idle events. */
  idleMaxS: number | null;
  /** Raise `device_offline` when a device sends nothing for 5 min and `device_online` when it is back. */
  deviceOfflineEvents: boolean;
}

/** The settings of a tenant that never saved any (the column defaults of tel_event_rules). */
export const DEFAULT_TENANT_EVENT_RULES: Readonly<TenantEventRules> = Object.freeze({
  overspeedKph: null,
  overspeedMinDurationS: 15,
  idleMaxS: 600,
  deviceOfflineEvents: true,
});

/** A tenant's event rule settings (defaults when it saved none). */
export async function getEventRules(db: Db, tenantId: string): Promise<TenantEventRules> {
  const row = await db.eventRules.findUnique({ where: { tenantId } });
  if (!row) return { ...DEFAULT_TENANT_EVENT_RULES };
  return {
    overspeedKph: row.overspeedKph,
    overspeedMinDurationS: row.overspeedMinDurationS,
    idleMaxS: row.idleMaxS,
    deviceOfflineEvents: row.deviceOfflineEvents,
  };
}

/**
 * Saves the given fields of a tenant's event rules (audited as `event_rules.updated`, field by field). Call {@link notifyEventRulesChanged} after commit.
 * @throws DomainError("invalid") for a limit outside 1–300 km/h, a duration outside 0–3600 s or an
 * idle time outside 60–86,400 s
 */
export async function updateEventRules(
  ctx: Tx,
  tenantId: string,
  patch: Partial<TenantEventRules>,
): Promise<TenantEventRules> {
  const before = await getEventRules(ctx.db, tenantId);
  const next: TenantEventRules = { ...before, ...stripUndefined(patch) };
  if (
    next.overspeedKph !== null &&
    !(Number.isInteger(next.overspeedKph) && next.overspeedKph >= 1 && next.overspeedKph <= 300)
  ) {
    throw new DomainError("invalid", "speed limit must be a whole number of km/h from 1 to 300");
  }
  if (
    !(
      Number.isInteger(next.overspeedMinDurationS) &&
      next.overspeedMinDurationS >= 0 &&
      next.overspeedMinDurationS <= 3600
    )
  ) {
    throw new DomainError("invalid", "overspeed duration must be 0–3600 seconds");
  }
  if (next.idleMaxS !== null && !(Number.isInteger(next.idleMaxS) && next.idleMaxS >= 60 && next.idleMaxS <= 86_400)) {
    throw new DomainError("invalid", "allowed idling must be 60–86,400 seconds");
  }
  await ctx.db.eventRules.upsert({ where: { tenantId }, create: { tenantId, ...next }, update: next });
  await recordUpdate(ctx, { tenantId, entityType: "event_rules", entityId: tenantId }, { ...before }, { ...next });
  return next;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const listeners = new Set<(tenantId: string) => void>();

/** Calls `listener` after a tenant's event rules changed in this process; returns the unsubscribe. */
export function onEventRulesChanged(listener: (tenantId: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Announces that a tenant's event rules (or a vehicle's speed limit) changed; call after commit. */
export function notifyEventRulesChanged(tenantId: string): void {
  for (const listener of listeners) {
    try {
      listener(tenantId);
    } catch {
      // A listener's failure must not fail the change that already committed.
    }
  }
}

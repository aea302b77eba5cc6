/**
 * Health scoring profiles (adm_health_profiles): weights, band thresholds and alert rules per
 * segment or lifecycle stage (issue 8: "configurable by provider admins per segment or lifecycle
 * stage"). Read by every staff role, created, changed and deleted by provider admins; every change
 * is audited with the before and after values. Runs in the provider scope (the table is provider-only).
 *
 * Invariants, so that the daily scoring's `pickProfile` (model.ts) always finds a profile:
 * - at most one profile per filter combination (segment × lifecycle, null = any): a second one with
 *   the same filters could never win over the first, or would silently replace it;
 * - exactly one catch-all profile (neither segment nor lifecycle; the seeded "default"): it cannot be
 *   deleted or given a filter, and a second one cannot be created.
 * Changes are serialised by a transaction-scoped advisory lock, so two admins cannot break them together.
 */
import type { Db } from "@fleetcore/db";
import {
  type CreateHealthProfileRequest,
  type DeleteHealthProfileRequest,
  type HealthProfile,
  type UpdateHealthProfileRequest,
  ZCreateHealthProfileRequest,
  ZDeleteHealthProfileRequest,
  ZHealthAlertRules,
  ZHealthThresholds,
  ZHealthWeights,
  ZUpdateHealthProfileRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { lockKey, parseInput } from "../crm/shared";
import { DomainError } from "../errors";

type ProfileRow = Awaited<ReturnType<Db["healthProfile"]["findFirstOrThrow"]>>;

function toProfile(r: ProfileRow): HealthProfile {
  // Stored JSON is validated on the way out: a hand-edited row with bad JSON is reported, not passed on.
  const weights = ZHealthWeights.safeParse(r.weights);
  const thresholds = ZHealthThresholds.safeParse(r.thresholds);
  const alertRules = ZHealthAlertRules.safeParse(r.alertRules);
  if (!weights.success || !thresholds.success || !alertRules.success) {
    throw new DomainError("invalid", `Health profile "${r.name}" has invalid stored settings`);
  }
  return {
    id: r.id,
    name: r.name,
    segment: r.segment,
    lifecycle: r.lifecycle,
    priority: r.priority,
    weights: weights.data,
    thresholds: thresholds.data,
    alertRules: alertRules.data,
    updatedAt: r.updatedAt,
  };
}

/** Every profile, highest priority first (then by name). */
export async function listHealthProfiles(db: Db): Promise<HealthProfile[]> {
  const rows = await db.healthProfile.findMany({ orderBy: [{ priority: "desc" }, { name: "asc" }] });
  return rows.map(toProfile);
}

/** The advisory lock key serialising profile changes (the invariants span rows). */
const PROFILES_LOCK = "adm_health_profiles";

/** "segment smb, any lifecycle stage": a profile's filters as people read them. */
function describeFilters(segment: string | null, lifecycle: string | null): string {
  return `${segment ? `segment ${segment}` : "any segment"}, ${lifecycle ? `lifecycle ${lifecycle}` : "any lifecycle stage"}`;
}

/** The audited fields of a profile (the JSON as stored). */
function snapshot(r: ProfileRow): Record<string, unknown> {
  return {
    name: r.name,
    segment: r.segment,
    lifecycle: r.lifecycle,
    priority: r.priority,
    weights: r.weights,
    thresholds: r.thresholds,
    alertRules: r.alertRules,
  };
}

/**
 * Refuses a name already taken (case-insensitively) or a filter combination another profile has;
 * checks only what is given (an update checks only what it changes, so a profile that predates
 * these rules can still have its weights edited).
 * @throws DomainError conflict
 */
async function assertFree(
  db: Db,
  p: { name?: string; filters?: { segment: string | null; lifecycle: string | null } },
  exceptId: string | null,
): Promise<void> {
  const others = exceptId ? { id: { not: exceptId } } : {};
  if (p.name !== undefined) {
    const named = await db.healthProfile.findFirst({
      where: { ...others, name: { equals: p.name, mode: "insensitive" } },
      select: { name: true },
    });
    if (named) throw new DomainError("conflict", `A health profile named "${named.name}" already exists`);
  }
  if (p.filters) {
    const { segment, lifecycle } = p.filters;
    const same = await db.healthProfile.findFirst({ where: { ...others, segment, lifecycle }, select: { name: true } });
    if (same) {
      throw new DomainError(
        "conflict",
        `Health profile "${same.name}" already applies to ${describeFilters(segment, lifecycle)}: change that one instead`,
      );
    }
  }
}

/** Whether a catch-all profile (no segment, no lifecycle) other than `exceptId` exists. */
async function otherCatchAllExists(db: Db, exceptId: string): Promise<boolean> {
  const n = await db.healthProfile.count({ where: { id: { not: exceptId }, segment: null, lifecycle: null } });
  return n > 0;
}

/**
 * Creates a profile for a segment and/or lifecycle stage; audited as `health_profile.created`
 * (after = the stored fields). Applies from the next scoring run.
 * @param input {@link CreateHealthProfileRequest}: name, segment (HEALTH_SEGMENTS or null = any),
 *   lifecycle (HEALTH_LIFECYCLES or null = any), priority 0–1000, weights (integers summing to 100),
 *   thresholds (red < green), alert rules
 * @throws DomainError invalid (bad input), conflict (the name is taken, or a profile with the same
 *   segment and lifecycle exists — including the catch-all when both are null)
 */
export async function createHealthProfile(tx: Tx, input: CreateHealthProfileRequest): Promise<HealthProfile> {
  const req = parseInput(ZCreateHealthProfileRequest, input);
  await lockKey(tx.db, PROFILES_LOCK);
  await assertFree(tx.db, { name: req.name, filters: req }, null);
  const row = await tx.db.healthProfile.create({
    data: {
      name: req.name,
      segment: req.segment,
      lifecycle: req.lifecycle,
      priority: req.priority,
      weights: req.weights,
      thresholds: req.thresholds,
      alertRules: req.alertRules,
    },
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "health_profile",
    entityId: row.id,
    action: "health_profile.created",
    before: null,
    after: snapshot(row),
    metadata: { name: row.name },
  });
  return toProfile(row);
}

/**
 * Changes any of a profile's name, segment, lifecycle (null = any), priority, weights (integers
 * summing to 100), thresholds (red < green) and alert rules; omitted fields keep their value.
 * Audited as `health_profile.updated` with the changed fields (before/after). Applies from the next
 * scoring run; stored scores keep the name they were computed with.
 * @throws DomainError invalid (bad input; giving the only catch-all profile a segment or lifecycle),
 *   not_found (no such profile), conflict (the name is taken, or another profile has the same
 *   segment and lifecycle)
 */
export async function updateHealthProfile(tx: Tx, input: UpdateHealthProfileRequest): Promise<HealthProfile> {
  const req = parseInput(ZUpdateHealthProfileRequest, input);
  await lockKey(tx.db, PROFILES_LOCK);
  const before = await tx.db.healthProfile.findUnique({ where: { id: req.id } });
  if (!before) throw new DomainError("not_found", "Health profile not found");
  const next = {
    name: req.name ?? before.name,
    segment: req.segment !== undefined ? req.segment : before.segment,
    lifecycle: req.lifecycle !== undefined ? req.lifecycle : before.lifecycle,
  };
  const wasCatchAll = before.segment === null && before.lifecycle === null;
  const staysCatchAll = next.segment === null && next.lifecycle === null;
  if (wasCatchAll && !staysCatchAll && !(await otherCatchAllExists(tx.db, before.id))) {
    throw new DomainError(
      "invalid",
      `"${before.name}" is the catch-all profile: it scores every tenant no other profile matches, so it keeps no segment and no lifecycle stage. Create a new profile for ${describeFilters(next.segment, next.lifecycle)} instead`,
    );
  }
  const filtersChange = next.segment !== before.segment || next.lifecycle !== before.lifecycle;
  await assertFree(
    tx.db,
    {
      name: next.name !== before.name ? next.name : undefined,
      filters: filtersChange ? next : undefined,
    },
    before.id,
  );
  const data = {
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.segment !== undefined ? { segment: req.segment } : {}),
    ...(req.lifecycle !== undefined ? { lifecycle: req.lifecycle } : {}),
    ...(req.weights ? { weights: req.weights } : {}),
    ...(req.thresholds ? { thresholds: req.thresholds } : {}),
    ...(req.alertRules ? { alertRules: req.alertRules } : {}),
    ...(req.priority !== undefined ? { priority: req.priority } : {}),
  };
  const after = await tx.db.healthProfile.update({ where: { id: req.id }, data });
  await tx.audit.record({
    tenantId: null,
    entityType: "health_profile",
    entityId: after.id,
    action: "health_profile.updated",
    before: snapshot(before),
    after: snapshot(after),
    metadata: { name: after.name },
  });
  return toProfile(after);
}

/**
 * Deletes a profile; audited as `health_profile.deleted` (before = the stored fields). Its tenants
 * are scored by the next matching profile from the next run; stored scores keep its name.
 * @returns the deleted profile's id and name
 * @throws DomainError not_found (no such profile), invalid (the catch-all profile: some profile
 *   must match every tenant)
 */
export async function deleteHealthProfile(
  tx: Tx,
  input: DeleteHealthProfileRequest,
): Promise<{ id: string; name: string }> {
  const req = parseInput(ZDeleteHealthProfileRequest, input);
  await lockKey(tx.db, PROFILES_LOCK);
  const before = await tx.db.healthProfile.findUnique({ where: { id: req.id } });
  if (!before) throw new DomainError("not_found", "Health profile not found");
  if (before.segment === null && before.lifecycle === null && !(await otherCatchAllExists(tx.db, before.id))) {
    throw new DomainError(
      "invalid",
      `"${before.name}" is the catch-all profile and cannot be deleted: it scores every tenant no other profile matches. Change its weights and thresholds instead`,
    );
  }
  await tx.db.healthProfile.delete({ where: { id: before.id } });
  await tx.audit.record({
    tenantId: null,
    entityType: "health_profile",
    entityId: before.id,
    action: "health_profile.deleted",
    before: snapshot(before),
    after: null,
    metadata: { name: before.name },
  });
  return { id: before.id, name: before.name };
}

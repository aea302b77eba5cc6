/**
 * Health scoring profiles (adm_health_profiles): weights, band thresholds and alert rules per
 * segment or lifecycle stage (issue 8: "configurable by provider admins per segment or lifecycle
 * stage"). Read by every staff role, changed by provider admins; every change is audited with the
 * before and after values. Runs in the provider scope (the table is provider-only).
 */
import type { Db } from "@fleetcore/db";
import {
  type HealthProfile,
  type UpdateHealthProfileRequest,
  ZHealthAlertRules,
  ZHealthThresholds,
  ZHealthWeights,
  ZUpdateHealthProfileRequest,
} from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { parseInput } from "../crm/shared";
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

/**
 * Changes a profile's weights (integers summing to 100), thresholds (red < green), alert rules
 * and/or priority; audited as `health_profile.updated` with the changed fields.
 * @throws DomainError invalid (bad input), not_found (no such profile)
 */
export async function updateHealthProfile(tx: Tx, input: UpdateHealthProfileRequest): Promise<HealthProfile> {
  const req = parseInput(ZUpdateHealthProfileRequest, input);
  const before = await tx.db.healthProfile.findUnique({ where: { id: req.id } });
  if (!before) throw new DomainError("not_found", "Health profile not found");
  const data = {
    ...(req.weights ? { weights: req.weights } : {}),
    ...(req.thresholds ? { thresholds: req.thresholds } : {}),
    ...(req.alertRules ? { alertRules: req.alertRules } : {}),
    ...(req.priority !== undefined ? { priority: req.priority } : {}),
  };
  const after = await tx.db.healthProfile.update({ where: { id: req.id }, data });
  const snapshot = (r: ProfileRow) => ({
    weights: r.weights,
    thresholds: r.thresholds,
    alertRules: r.alertRules,
    priority: r.priority,
  });
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

/**
 * Which health profile the daily scoring applies to a tenant (`healthProfiles.forTenant`): the same
 * resolution as the scoring run — `pickProfile` (model.ts) over `listHealthProfiles` — for the day the
 * scoring is due on, so the answer reflects profile changes before the next run stores a score.
 */
import type { Db } from "@fleetcore/db";
import {
  type HealthProfileForTenant,
  type HealthProfileForTenantRequest,
  ZHealthProfileForTenantRequest,
} from "@fleetcore/validators";
import { parseInput } from "../crm/shared";
import { DomainError } from "../errors";
import { lifecycleOf, pickProfile } from "./model";
import { listHealthProfiles } from "./profiles";
import { scoringDayDue } from "./scoring";

/**
 * The profile that scores `tenantId` on `day` (default: the newest day due at `now`, {@link scoringDayDue}),
 * with the tenant's segment and lifecycle stage that decided it.
 * @throws DomainError invalid (bad input), not_found (no such tenant, or deleted); Error when no
 *   profile matches (cannot happen while the catch-all profile exists, see profiles.ts)
 */
export async function healthProfileForTenant(
  db: Db,
  input: HealthProfileForTenantRequest,
  now: Date = new Date(),
): Promise<HealthProfileForTenant> {
  const req = parseInput(ZHealthProfileForTenantRequest, input);
  const tenant = await db.tenant.findFirst({
    where: { id: req.tenantId, deletedAt: null },
    select: { id: true, name: true, segment: true, createdAt: true },
  });
  if (!tenant) throw new DomainError("not_found", "Tenant not found");
  const day = req.day ?? new Date(`${scoringDayDue(now)}T00:00:00Z`);
  const profile = pickProfile(await listHealthProfiles(db), tenant, day);
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    segment: tenant.segment,
    lifecycle: lifecycleOf(tenant.createdAt, day),
    day: day.toISOString().slice(0, 10),
    profile,
  };
}

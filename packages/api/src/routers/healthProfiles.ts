import {
  createHealthProfile,
  deleteHealthProfile,
  healthProfileForTenant,
  listHealthProfiles,
  updateHealthProfile,
} from "@fleetcore/core";
import {
  ZCreateHealthProfileRequest,
  ZDeleteHealthProfileRequest,
  ZDeleteHealthProfileResponse,
  ZHealthProfile,
  ZHealthProfileForTenant,
  ZHealthProfileForTenantRequest,
  ZUpdateHealthProfileRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { providerProcedure, router } from "../trpc";

/**
 * Health scoring profiles (issue 8): the weights, band thresholds and alert rules the daily scoring
 * applies per segment or lifecycle stage (packages/core/src/health/, docs/health-score.md). Every
 * staff role reads; provider admins create, change and delete them (audited as
 * `health_profile.created` / `.updated` / `.deleted` with before and after). Changes apply from the
 * next scoring run; stored scores are not recomputed. Invariants (core profiles.ts): one profile per
 * segment × lifecycle combination, and exactly one catch-all profile (neither filter).
 */
export const healthProfilesRouter = router({
  /** Every profile, highest priority first (then by name). */
  list: providerProcedure()
    .output(z.array(ZHealthProfile))
    .query(({ ctx }) => listHealthProfiles(ctx.db)),

  /**
   * The profile the scoring applies to a tenant on `day` (default: the day due now), with the
   * tenant's segment and lifecycle stage. NOT_FOUND for an unknown tenant.
   */
  forTenant: providerProcedure()
    .input(ZHealthProfileForTenantRequest)
    .output(ZHealthProfileForTenant)
    .query(({ ctx, input }) => healthProfileForTenant(ctx.db, input)),

  /**
   * Creates a profile for a segment and/or lifecycle stage: name, segment, lifecycle, priority,
   * weights (integers summing to 100), thresholds (red < green), alert rules. BAD_REQUEST for
   * invalid values (field errors), CONFLICT for a taken name or an existing segment × lifecycle
   * combination (neither = the catch-all, which exists).
   */
  create: providerProcedure("admin")
    .input(ZCreateHealthProfileRequest)
    .output(ZHealthProfile)
    .mutation(({ ctx, input }) => createHealthProfile(ctx, input)),

  /**
   * Updates any of name, segment, lifecycle, priority, weights, thresholds, alert rules. BAD_REQUEST
   * for invalid values or for giving the catch-all profile a filter, NOT_FOUND for an unknown
   * profile, CONFLICT for a taken name or segment × lifecycle combination.
   */
  update: providerProcedure("admin")
    .input(ZUpdateHealthProfileRequest)
    .output(ZHealthProfile)
    .mutation(({ ctx, input }) => updateHealthProfile(ctx, input)),

  /** Deletes a profile. BAD_REQUEST for the catch-all profile, NOT_FOUND for an unknown one. */
  delete: providerProcedure("admin")
    .input(ZDeleteHealthProfileRequest)
    .output(ZDeleteHealthProfileResponse)
    .mutation(({ ctx, input }) => deleteHealthProfile(ctx, input)),
});

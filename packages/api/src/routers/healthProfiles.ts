import { listHealthProfiles, updateHealthProfile } from "@fleetcore/core";
import { ZHealthProfile, ZUpdateHealthProfileRequest } from "@fleetcore/validators";
import { z } from "zod";
import { providerProcedure, router } from "../trpc";

/**
 * Health scoring profiles (issue 8): the weights, band thresholds and alert rules the daily scoring
 * applies per segment or lifecycle stage (packages/core/src/health/, docs/health-score.md). Every
 * staff role reads; provider admins change them (audited as `health_profile.updated`). Changes
 * apply from the next scoring run; stored scores are not recomputed.
 */
export const healthProfilesRouter = router({
  /** Every profile, highest priority first. */
  list: providerProcedure()
    .output(z.array(ZHealthProfile))
    .query(({ ctx }) => listHealthProfiles(ctx.db)),

  /**
   * Updates weights (integers summing to 100), thresholds (red < green), alert rules and/or
   * priority. BAD_REQUEST for invalid values, NOT_FOUND for an unknown profile.
   */
  update: providerProcedure("admin")
    .input(ZUpdateHealthProfileRequest)
    .output(ZHealthProfile)
    .mutation(({ ctx, input }) => updateHealthProfile(ctx, input)),
});

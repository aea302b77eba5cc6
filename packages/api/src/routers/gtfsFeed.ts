import {
  createGtfsFeed,
  deleteGtfsFeed,
  listGtfsFeeds,
  notifyGtfsFeedsChanged,
  testGtfsFeed,
  updateGtfsFeed,
} from "@fleetcore/core";
import {
  ZCreateGtfsFeedRequest,
  ZGtfsFeed,
  ZGtfsFeedTestResult,
  ZTestGtfsFeedRequest,
  ZUpdateGtfsFeedRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

/**
 * GTFS-realtime VehiclePositions feeds the server polls for the active tenant (integrations:read /
 * write, like the batch API keys: owners and admins). Header values are write-only.
 * Every change is audited and wakes the poller once committed.
 */
export const gtfsFeedRouter = router({
  /** The tenant's feeds with their last poll's status, by name. */
  list: permittedProcedure("integrations", "read")
    .output(z.array(ZGtfsFeed))
    .query(({ ctx }) => listGtfsFeeds(ctx.db, ctx.tenantId)),

  /** Registers a feed; polling starts within seconds when enabled. */
  create: permittedProcedure("integrations", "write")
    .input(ZCreateGtfsFeedRequest)
    .output(ZGtfsFeed)
    .mutation(async ({ ctx, input }) => {
      const feed = await createGtfsFeed(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(notifyGtfsFeedsChanged);
      return feed;
    }),

  /** Changes the fields given (`headers` replaces all). NOT_FOUND for another tenant's feed. */
  update: permittedProcedure("integrations", "write")
    .input(ZUpdateGtfsFeedRequest)
    .output(ZGtfsFeed)
    .mutation(async ({ ctx, input }) => {
      const feed = await updateGtfsFeed(ctx, ctx.tenantId, input);
      ctx.afterCommit.push(notifyGtfsFeedsChanged);
      return feed;
    }),

  /** Deletes a feed (soft); polling stops. NOT_FOUND for another tenant's feed. */
  delete: permittedProcedure("integrations", "write")
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteGtfsFeed(ctx, ctx.tenantId, input.id);
      ctx.afterCommit.push(notifyGtfsFeedsChanged);
      return { ok: true as const };
    }),

  /**
   * Fetches a saved feed (by id) or an unsaved URL once and reports entity counts, sample device ids
   * and refusals, storing nothing. A mutation: it reaches out to the network and is never cached.
   */
  test: permittedProcedure("integrations", "write")
    .input(ZTestGtfsFeedRequest)
    .output(ZGtfsFeedTestResult)
    .mutation(({ ctx, input }) => testGtfsFeed(ctx.db, ctx.tenantId, input)),
});

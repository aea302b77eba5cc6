/**
 * Product usage from the web app (issue 8): `usage.page({ path })` records a page view of a signed-in
 * member in their active tenant as a usage event (kind "page", feature `page:<path with ids as :id>`).
 * Mutations are recorded by `tenantProcedure` itself (trpc.ts); queries are not (polling would count
 * open tabs as use) — reads are this page beacon, which the web app calls on navigation.
 *
 * Cheap by design: no transaction of its own and no audit row (a generic mutation audit per page view
 * would flood adm_audit_logs) — one tenant-scoped read checks the session may still act in the tenant
 * as a member; visiting staff and wall displays are not the customer's usage. Rate-limited per session
 * ({@link PageViewLimiter}); over the limit the view is not recorded and the call still succeeds.
 */
import { pageFeature, resolveTenantAccess } from "@fleetcore/core";
import { withScope } from "@fleetcore/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { publicProcedure, router } from "./trpc";

/** Page views one session may record per window (a person navigates far less; a loop is cut off). */
export const PAGE_VIEWS_PER_WINDOW = 60;
/** The rate-limit window, ms. */
export const PAGE_VIEW_WINDOW_MS = 60_000;

/**
 * A fixed-window counter per key (the session id): at most `limit` per `windowMs`. In memory, per
 * process; the map is pruned of finished windows when it grows past `maxKeys`.
 */
export class PageViewLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly limit = PAGE_VIEWS_PER_WINDOW,
    private readonly windowMs = PAGE_VIEW_WINDOW_MS,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one view for `key`. @returns false when `key` is over its limit in the current window */
  allow(key: string): boolean {
    const nowMs = this.now();
    const w = this.windows.get(key);
    if (!w || nowMs - w.startMs >= this.windowMs) {
      if (!w && this.windows.size >= this.maxKeys) this.prune(nowMs);
      this.windows.set(key, { startMs: nowMs, count: 1 });
      return true;
    }
    w.count++;
    return w.count <= this.limit;
  }

  private prune(nowMs: number): void {
    for (const [key, w] of this.windows) if (nowMs - w.startMs >= this.windowMs) this.windows.delete(key);
  }
}

/** The process's page-view limiter (shared by every request of this server process). */
export const pageViewLimiter = new PageViewLimiter();

/** A page path as the web app's router sees it ("/vehicles/…?from=…"); query and fragment are dropped. */
export const ZUsagePageRequest = z.object({ path: z.string().min(1).max(2000).startsWith("/") });
/** Whether the view was stored (false: no active tenant, not a member, over the rate limit, or no recorder). */
export const ZUsagePageResponse = z.object({ recorded: z.boolean() });

export const usageRouter = router({
  /**
   * Records a page view of the signed-in person in their active tenant. UNAUTHORIZED without a
   * signed-in person (wall displays included); never fails otherwise.
   */
  page: publicProcedure
    .input(ZUsagePageRequest)
    .output(ZUsagePageResponse)
    .mutation(async ({ ctx, input }) => {
      const session = ctx.session;
      const userId = session?.user?.id;
      if (!session || !userId || session.display) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
      }
      const tenantId = session.activeTenantId;
      const usage = ctx.services.usage;
      if (!tenantId || !usage || !pageViewLimiter.allow(session.id)) return { recorded: false };
      const access = await withScope(ctx.prisma, { kind: "tenant", tenantId, userId }, (db) =>
        resolveTenantAccess(db, userId, tenantId),
      );
      if (access?.access !== "member") return { recorded: false };
      const recorded = usage.record({
        time: new Date(),
        tenantId,
        userId,
        feature: pageFeature(input.path),
        kind: "page",
      });
      return { recorded };
    }),
});

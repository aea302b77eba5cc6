import { getTimescaleStatus } from "@fleetcore/db";
import { z } from "zod";
import { publicProcedure, router } from "../trpc";

export const ZSystemStatus = z.object({
  database: z.object({ ok: z.boolean(), latencyMs: z.number() }),
  timescale: z.object({ version: z.string().nullable(), license: z.string().nullable(), tslFeatures: z.boolean() }),
});

export const systemRouter = router({
  /** Database reachability and TimescaleDB version/license (the data behind GET /healthz). */
  status: publicProcedure.output(ZSystemStatus).query(async ({ ctx }) => {
    const started = performance.now();
    const timescale = await getTimescaleStatus(ctx.prisma);
    return { database: { ok: true, latencyMs: Math.round(performance.now() - started) }, timescale };
  }),
});

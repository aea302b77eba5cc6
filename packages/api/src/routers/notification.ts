import { listNotifications, markNotificationsRead } from "@fleetcore/core";
import { z } from "zod";
import { authedProcedure, router } from "../trpc";

const ZNotification = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  tenantId: z.uuid().nullable(),
  readAt: z.date().nullable(),
  createdAt: z.date(),
});

/**
 * The signed-in person's in-app notifications (adm_notifications): tenant users and provider staff
 * alike. New ones also arrive live as `notification` on the person's Socket.IO room.
 */
export const notificationRouter = router({
  /** Newest first (at most `limit`, default 30), with the unread count; `before` pages back by time. */
  list: authedProcedure
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).optional(),
          before: z.date().nullable().optional(),
          unreadOnly: z.boolean().optional(),
        })
        .optional(),
    )
    .output(z.object({ items: z.array(ZNotification), unread: z.number().int() }))
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.user.id, input ?? {})),

  /** Marks the given notifications read, or all of them without `ids`. NOT_FOUND for ids not the caller's. */
  markRead: authedProcedure
    .input(z.object({ ids: z.array(z.uuid()).max(200).optional() }))
    .output(z.object({ updated: z.number().int() }))
    .mutation(async ({ ctx, input }) => ({ updated: await markNotificationsRead(ctx.db, ctx.user.id, input.ids) })),
});

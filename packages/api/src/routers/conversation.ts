import {
  getMessagingSettings,
  listConversations,
  listDriverMessages,
  listOutbox,
  listRecentMessages,
  markConversationRead,
  sendDriverMessage,
  updateMessagingSettings,
} from "@fleetcore/core";
import {
  ZConversation,
  ZDriverIdRequest,
  ZDriverMessagesRequest,
  ZListConversationsRequest,
  ZMessage,
  ZMessagingSettings,
  ZOutboxEntry,
  ZRecentMessagesRequest,
  ZSendMessageRequest,
  ZUpdateMessagingSettingsRequest,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router } from "../trpc";

const strip = <T extends { tenantId: string }>({ tenantId: _, ...rest }: T) => rest;

/**
 * Driver conversations of the caller's tenant: one per driver, inbound WhatsApp messages and
 * dispatchers' replies. Reads need messages:read (wall displays have it), replies messages:write,
 * messaging settings settings:write. Driver ids of other tenants are NOT_FOUND.
 */
export const conversationRouter = router({
  /** Conversations, most recent first, with unread counts and the last message. */
  list: permittedProcedure("messages", "read")
    .input(ZListConversationsRequest)
    .output(z.array(ZConversation))
    .query(({ ctx, input }) => listConversations(ctx.db, ctx.tenantId, input)),

  /** A driver's messages, newest first; `before` pages back. NOT_FOUND. */
  messages: permittedProcedure("messages", "read")
    .input(ZDriverMessagesRequest)
    .output(z.array(ZMessage))
    .query(async ({ ctx, input }) =>
      (await listDriverMessages(ctx.db, ctx.tenantId, input.driverId, input)).map(strip),
    ),

  /** The newest messages of all drivers (the feed's history), newest first. */
  recent: permittedProcedure("messages", "read")
    .input(ZRecentMessagesRequest)
    .output(z.array(ZMessage))
    .query(async ({ ctx, input }) => (await listRecentMessages(ctx.db, ctx.tenantId, input)).map(strip)),

  /**
   * Replies to a driver. The message comes back `queued` (then `sent`/`failed` over `/live` as the
   * transport answers) or `blocked` with `statusReason` (opted out, no phone, quiet hours, outside
   * WhatsApp's 24-hour window). Published on `/live` after commit. NOT_FOUND, BAD_REQUEST.
   */
  send: permittedProcedure("messages", "write")
    .input(ZSendMessageRequest)
    .output(ZMessage)
    .mutation(async ({ ctx, input }) => {
      const message = await sendDriverMessage(ctx, ctx.tenantId, { ...input, userId: ctx.session.user?.id ?? null });
      ctx.afterCommit.push(() => {
        ctx.services.feed.publishFeed({ messages: [message] });
        if (message.status === "queued") ctx.services.outbound.kick();
      });
      return strip(message);
    }),

  /** Marks a driver's conversation read; returns how many were unread. */
  markRead: permittedProcedure("messages", "write")
    .input(ZDriverIdRequest)
    .output(z.object({ wasUnread: z.number().int() }))
    .mutation(async ({ ctx, input }) => ({
      wasUnread: await markConversationRead(ctx.db, ctx.tenantId, input.driverId),
    })),

  /** What the local transport recorded instead of sending (newest first). */
  outbox: permittedProcedure("messages", "read")
    .input(z.object({ limit: z.number().int().min(1).max(200).optional() }))
    .output(z.array(ZOutboxEntry))
    .query(({ ctx, input }) => listOutbox(ctx.db, ctx.tenantId, input.limit)),

  /** Quiet hours (tenant timezone) and the transport replies go through. */
  settings: permittedProcedure("messages", "read")
    .output(ZMessagingSettings)
    .query(({ ctx }) => getMessagingSettings(ctx.db, ctx.tenantId)),

  /** Saves messaging settings (audited). BAD_REQUEST: malformed time, WhatsApp without an integration. */
  updateSettings: permittedProcedure("settings", "write")
    .input(ZUpdateMessagingSettingsRequest)
    .output(ZMessagingSettings)
    .mutation(({ ctx, input }) => updateMessagingSettings(ctx, ctx.tenantId, input)),
});

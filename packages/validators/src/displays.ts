import { z } from "zod";

/** A wall-display token as listed (`display.list`); the token itself is never returned again. */
export const ZDisplayToken = z.object({
  id: z.uuid(),
  name: z.string(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  activeSessions: z.number().int().nonnegative(),
});
export type DisplayToken = z.infer<typeof ZDisplayToken>;

/** Input of `display.create`. `expiresAt` must be in the future; omit it for a token that never expires. */
export const ZCreateDisplayTokenRequest = z.object({
  name: z.string().trim().min(1).max(80),
  expiresAt: z.date().optional(),
});
export type CreateDisplayTokenRequest = z.input<typeof ZCreateDisplayTokenRequest>;

/** Output of `display.create`: the token (shown once) and the path a screen opens (`/display/<token>`). */
export const ZCreatedDisplayToken = z.object({
  display: ZDisplayToken,
  token: z.string(),
  path: z.string(),
});

/** Input of `display.revoke`. */
export const ZRevokeDisplayTokenRequest = z.object({ displayTokenId: z.uuid() });

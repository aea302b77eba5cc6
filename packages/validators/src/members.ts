import { z } from "zod";
import { ZEmail, ZNewPassword } from "./auth";
import { ZPermissionSet } from "./permissions";

/** A role a member can hold (`member.roles`). System roles have `system: true`. */
export const ZRole = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: ZPermissionSet,
  system: z.boolean(),
});
export type Role = z.infer<typeof ZRole>;

export const MEMBER_STATUSES = ["invited", "active", "suspended"] as const;

/** A tenant member (`member.list`). */
export const ZMember = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  fullName: z.string().nullable(),
  status: z.enum(MEMBER_STATUSES),
  roles: z.array(z.object({ id: z.uuid(), name: z.string() })),
  joinedAt: z.date().nullable(),
  lastLoginAt: z.date().nullable(),
});
export type Member = z.infer<typeof ZMember>;

export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked"] as const;

/** An invitation (`member.invitations`); `expired` is derived from expiresAt. */
export const ZInvitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.object({ id: z.uuid(), name: z.string() }),
  status: z.enum(INVITATION_STATUSES),
  expired: z.boolean(),
  expiresAt: z.date(),
  createdAt: z.date(),
  invitedBy: z.string().nullable(),
});
export type Invitation = z.infer<typeof ZInvitation>;

/** Input of `member.invite`. */
export const ZInviteMemberRequest = z.object({ email: ZEmail, roleId: z.uuid() });
export type InviteMemberRequest = z.input<typeof ZInviteMemberRequest>;

/** Input of `member.changeRole`: the member's roles become exactly [roleId]. */
export const ZChangeMemberRoleRequest = z.object({ memberId: z.uuid(), roleId: z.uuid() });

/** Input of `member.remove`. */
export const ZRemoveMemberRequest = z.object({ memberId: z.uuid() });

/** Input of `member.revokeInvitation`. */
export const ZRevokeInvitationRequest = z.object({ invitationId: z.uuid() });

/** Input of `invitation.preview` and `invitation.decline`. */
export const ZInvitationTokenRequest = z.object({ token: z.string().min(20).max(200) });

/** What an invitee sees before accepting (`invitation.preview`). */
export const ZInvitationPreview = z.object({
  tenantName: z.string(),
  email: z.string(),
  roleName: z.string(),
  status: z.enum(INVITATION_STATUSES),
  expired: z.boolean(),
  expiresAt: z.date(),
  /** Whether an account with this email exists (then the invitee signs in instead of choosing a password). */
  accountExists: z.boolean(),
});
export type InvitationPreview = z.infer<typeof ZInvitationPreview>;

/**
 * Input of `invitation.accept`. A new account needs `fullName` and `password`; an existing account
 * must be signed in (as the invited email) and sends only the token.
 */
export const ZAcceptInvitationRequest = z.object({
  token: z.string().min(20).max(200),
  fullName: z.string().trim().min(1).max(120).optional(),
  password: ZNewPassword.optional(),
});
export type AcceptInvitationRequest = z.input<typeof ZAcceptInvitationRequest>;

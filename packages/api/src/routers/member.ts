import {
  changeMemberRole,
  inviteMember,
  listInvitations,
  listMembers,
  listRoles,
  removeMember,
  revokeInvitation,
} from "@fleetcore/core";
import {
  ZChangeMemberRoleRequest,
  ZInvitation,
  ZInviteMemberRequest,
  ZMember,
  ZRemoveMemberRequest,
  ZRevokeInvitationRequest,
  ZRole,
} from "@fleetcore/validators";
import { z } from "zod";
import { permittedProcedure, router, tenantProcedure } from "../trpc";

const ZOk = z.object({ ok: z.literal(true) });

/** Who may act as an owner: tenant owners, and provider admins visiting the tenant. */
function callerOf(tenant: { roles: string[]; access: string; permissions: Record<string, string[]> }) {
  return {
    roles: tenant.roles,
    isProviderAdmin: tenant.access === "provider" && tenant.permissions["*"]?.includes("*"),
  };
}

/** Members, roles and invitations of the caller's active tenant. */
export const memberRouter = router({
  /** Members (not removed) with their roles. Needs members:read. */
  list: permittedProcedure("members", "read")
    .output(z.array(ZMember))
    .query(({ ctx }) => listMembers(ctx.db, ctx.tenantId)),

  /** Roles that can be given in this tenant (system roles first). Any member. */
  roles: tenantProcedure.output(z.array(ZRole)).query(({ ctx }) => listRoles(ctx.db, ctx.tenantId)),

  /** Pending invitations (expired ones flagged). Needs members:read. */
  invitations: permittedProcedure("members", "read")
    .output(z.array(ZInvitation))
    .query(({ ctx }) => listInvitations(ctx.db, ctx.tenantId)),

  /**
   * Invites an email with a role; the link is emailed (7 days). Needs members:write; inviting an
   * owner needs the owner role. Errors: CONFLICT (already a member), NOT_FOUND (role), FORBIDDEN.
   */
  invite: permittedProcedure("members", "write")
    .input(ZInviteMemberRequest)
    .output(ZInvitation)
    .mutation(({ ctx, input }) =>
      inviteMember(ctx, ctx.tenantId, input, {
        caller: callerOf(ctx.tenant),
        email: ctx.services.email,
        publicUrl: ctx.services.publicUrl,
      }),
    ),

  /** Revokes a pending invitation. Needs members:write. NOT_FOUND otherwise. */
  revokeInvitation: permittedProcedure("members", "write")
    .input(ZRevokeInvitationRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx, ctx.tenantId, input.invitationId);
      return { ok: true as const };
    }),

  /**
   * Gives a member exactly this role; their sessions in this tenant end. Needs members:write (owner
   * changes need an owner). Errors: NOT_FOUND, FORBIDDEN, BAD_REQUEST (the last owner).
   */
  changeRole: permittedProcedure("members", "write")
    .input(ZChangeMemberRoleRequest)
    .output(ZMember)
    .mutation(({ ctx, input }) => changeMemberRole(ctx, ctx.tenantId, input, callerOf(ctx.tenant))),

  /** Removes a member; their sessions in this tenant end. Errors: NOT_FOUND, FORBIDDEN, BAD_REQUEST (last owner). */
  remove: permittedProcedure("members", "write")
    .input(ZRemoveMemberRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx, ctx.tenantId, input.memberId, callerOf(ctx.tenant));
      return { ok: true as const };
    }),
});

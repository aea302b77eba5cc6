/**
 * Tenant members, their roles, and invitations (saas-database-schema.md `invitations`: token,
 * expiry, accept / decline / revoke). Invitation tokens are emailed; only their SHA-256 is stored.
 *
 * Rules: a tenant always keeps at least one active owner (the last one can be neither removed nor
 * demoted); only an owner may grant or take away the owner role; removing a member or changing
 * their role ends their sessions in this tenant. Every change is audited.
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type { AcceptInvitationRequest, Invitation, InvitationPreview, Member, Role } from "@fleetcore/validators";
import { ZAcceptInvitationRequest, ZInviteMemberRequest } from "@fleetcore/validators";
import { type Actor, AuditTrail, type Tx } from "../audit/audit";
import type { EmailTransport } from "../email/transport";
import { DomainError } from "../errors";
import { hashPassword } from "../identity/passwords";
import { type ClientMeta, createSession, endMemberSessions } from "../identity/sessions";
import { generateToken, hashToken } from "../identity/tokens";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Roles assignable in a tenant: the system roles and the tenant's own, by name. */
export async function listRoles(db: Db, tenantId: string): Promise<Role[]> {
  const rows = await db.role.findMany({
    where: { OR: [{ tenantId: null }, { tenantId }] },
    orderBy: [{ tenantId: { sort: "asc", nulls: "first" } }, { name: "asc" }],
  });
  const order = ["owner", "admin", "dispatcher", "viewer"];
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      permissions: (r.permissions ?? {}) as Role["permissions"],
      system: r.tenantId === null,
    }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  function rank(name: string) {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  }
}

async function findRole(db: Db, tenantId: string, roleId: string) {
  const role = await db.role.findFirst({ where: { id: roleId, OR: [{ tenantId: null }, { tenantId }] } });
  if (!role) throw new DomainError("not_found", "role not found");
  return role;
}

const memberInclude = {
  user: { select: { id: true, email: true, fullName: true, lastLoginAt: true } },
  roles: { include: { role: { select: { id: true, name: true } } } },
} as const;

type MemberRow = Awaited<ReturnType<typeof loadMember>>;
async function loadMember(db: Db, tenantId: string, memberId: string) {
  const m = await db.member.findFirst({ where: { id: memberId, tenantId, deletedAt: null }, include: memberInclude });
  if (!m) throw new DomainError("not_found", "member not found");
  return m;
}

function toMember(m: NonNullable<MemberRow>): Member {
  return {
    id: m.id,
    userId: m.userId,
    email: m.user.email,
    fullName: m.user.fullName,
    status: m.status,
    roles: m.roles.map((r) => ({ id: r.role.id, name: r.role.name })).sort((a, b) => a.name.localeCompare(b.name)),
    joinedAt: m.joinedAt,
    lastLoginAt: m.user.lastLoginAt,
  };
}

/** A tenant's members (not removed), by email. */
export async function listMembers(db: Db, tenantId: string): Promise<Member[]> {
  const rows = await db.member.findMany({
    where: { tenantId, deletedAt: null },
    include: memberInclude,
    orderBy: { user: { email: "asc" } },
  });
  return rows.map(toMember);
}

async function activeOwnerCount(db: Db, tenantId: string): Promise<number> {
  return db.memberRole.count({
    where: { tenantId, role: { name: "owner", tenantId: null }, member: { status: "active", deletedAt: null } },
  });
}

function isOwner(m: NonNullable<MemberRow>): boolean {
  return m.roles.some((r) => r.role.name === "owner");
}

/**
 * Gives a member exactly one role. Only owners grant or revoke "owner"; the last owner cannot be
 * demoted. Ends the member's sessions in this tenant.
 * @throws DomainError not_found (member or role), forbidden (owner rule), invalid (last owner)
 */
export async function changeMemberRole(
  tx: Tx,
  tenantId: string,
  input: { memberId: string; roleId: string },
  caller: { roles: string[]; isProviderAdmin?: boolean },
): Promise<Member> {
  const { db, audit } = tx;
  const member = await loadMember(db, tenantId, input.memberId);
  const role = await findRole(db, tenantId, input.roleId);
  const callerIsOwner = caller.roles.includes("owner") || caller.isProviderAdmin === true;
  if ((role.name === "owner" || isOwner(member)) && !callerIsOwner) {
    throw new DomainError("forbidden", "Only an owner can grant or remove the owner role");
  }
  if (
    isOwner(member) &&
    role.name !== "owner" &&
    member.status === "active" &&
    (await activeOwnerCount(db, tenantId)) <= 1
  ) {
    throw new DomainError("invalid", "The last owner cannot be demoted: make someone else owner first");
  }
  const before = toMember(member);
  await db.memberRole.deleteMany({ where: { memberId: member.id } });
  await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId } });
  const after = toMember(await loadMember(db, tenantId, member.id));
  await endMemberSessions(db, member.userId);
  await audit.record({
    tenantId,
    entityType: "member",
    entityId: member.id,
    action: "member.role_changed",
    before: { roles: before.roles.map((r) => r.name) },
    after: { roles: after.roles.map((r) => r.name) },
    metadata: { email: member.user.email },
  });
  return after;
}

/**
 * Removes a member (soft delete, roles dropped) and ends their sessions in this tenant.
 * @throws DomainError not_found, forbidden (removing an owner takes an owner), invalid (last owner)
 */
export async function removeMember(
  tx: Tx,
  tenantId: string,
  memberId: string,
  caller: { roles: string[]; isProviderAdmin?: boolean },
): Promise<void> {
  const { db, audit } = tx;
  const member = await loadMember(db, tenantId, memberId);
  if (isOwner(member)) {
    if (!caller.roles.includes("owner") && !caller.isProviderAdmin) {
      throw new DomainError("forbidden", "Only an owner can remove an owner");
    }
    if (member.status === "active" && (await activeOwnerCount(db, tenantId)) <= 1) {
      throw new DomainError("invalid", "The last owner cannot be removed");
    }
  }
  await db.memberRole.deleteMany({ where: { memberId } });
  await db.member.update({ where: { id: memberId }, data: { deletedAt: new Date(), status: "suspended" } });
  await endMemberSessions(db, member.userId);
  await audit.record({
    tenantId,
    entityType: "member",
    entityId: memberId,
    action: "member.removed",
    before: { email: member.user.email, status: member.status, roles: member.roles.map((r) => r.role.name) },
    after: null,
  });
}

function toInvitation(
  i: {
    id: string;
    email: string;
    status: Invitation["status"];
    expiresAt: Date;
    createdAt: Date;
    role: { id: string; name: string };
    invitedBy: { email: string } | null;
  },
  now = new Date(),
): Invitation {
  return {
    id: i.id,
    email: i.email,
    role: { id: i.role.id, name: i.role.name },
    status: i.status,
    expired: i.status === "pending" && i.expiresAt <= now,
    expiresAt: i.expiresAt,
    createdAt: i.createdAt,
    invitedBy: i.invitedBy?.email ?? null,
  };
}

const invitationInclude = {
  role: { select: { id: true, name: true } },
  invitedBy: { select: { email: true } },
} as const;

/** Pending invitations of a tenant (expired ones included, flagged), newest first. */
export async function listInvitations(db: Db, tenantId: string): Promise<Invitation[]> {
  const rows = await db.invitation.findMany({
    where: { tenantId, status: "pending" },
    include: invitationInclude,
    orderBy: { createdAt: "desc" },
  });
  return rows.map((r) => toInvitation(r));
}

/**
 * Invites `email` into a tenant with a role and emails the link `${publicUrl}/invite/<token>`
 * (valid 7 days). A still-pending invitation of the same email is replaced (revoked).
 * @throws DomainError conflict (already an active member), forbidden (owner role by a non-owner)
 */
export async function inviteMember(
  tx: Tx,
  tenantId: string,
  input: { email: string; roleId: string },
  opts: { caller: { roles: string[]; isProviderAdmin?: boolean }; email: EmailTransport; publicUrl: string },
): Promise<Invitation> {
  const { db, audit } = tx;
  const { email, roleId } = ZInviteMemberRequest.parse(input);
  const role = await findRole(db, tenantId, roleId);
  if (role.name === "owner" && !opts.caller.roles.includes("owner") && !opts.caller.isProviderAdmin) {
    throw new DomainError("forbidden", "Only an owner can invite another owner");
  }
  const existing = await db.member.findFirst({
    where: { tenantId, deletedAt: null, status: "active", user: { email } },
    select: { id: true },
  });
  if (existing) throw new DomainError("conflict", `${email} is already a member`);
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { name: true } });
  await db.invitation.updateMany({
    where: { tenantId, email, status: "pending" },
    data: { status: "revoked", respondedAt: new Date() },
  });
  const token = generateToken();
  const created = await db.invitation.create({
    data: {
      tenantId,
      email,
      roleId: role.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      invitedByUserId: audit.actor.userId,
    },
    include: invitationInclude,
  });
  const link = `${opts.publicUrl.replace(/\/$/, "")}/invite/${token}`;
  const inviter = audit.actor.email ?? "Fleetcore";
  await opts.email.send(db, {
    to: email,
    tenantId,
    template: "invitation",
    subject: `You are invited to ${tenant.name} on Fleetcore`,
    text:
      `${inviter} invited you to join ${tenant.name} on Fleetcore as ${role.name}.\n\n` +
      `Accept or decline here (the link is valid for 7 days):\n${link}\n`,
  });
  await audit.record({
    tenantId,
    entityType: "invitation",
    entityId: created.id,
    action: "invitation.created",
    after: { email, role: role.name, expiresAt: created.expiresAt },
  });
  return toInvitation(created);
}

/** Revokes a pending invitation. @throws DomainError not_found (unknown, or no longer pending) */
export async function revokeInvitation(tx: Tx, tenantId: string, invitationId: string): Promise<void> {
  const { db, audit } = tx;
  const updated = await db.invitation.updateMany({
    where: { id: invitationId, tenantId, status: "pending" },
    data: { status: "revoked", respondedAt: new Date() },
  });
  if (updated.count !== 1) throw new DomainError("not_found", "invitation not found or no longer pending");
  await audit.record({
    tenantId,
    entityType: "invitation",
    entityId: invitationId,
    action: "invitation.revoked",
    before: { status: "pending" },
    after: { status: "revoked" },
  });
}

async function findInvitationByToken(db: Db, token: string) {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  return db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: {
      tenant: { select: { id: true, name: true, deletedAt: true } },
      role: { select: { id: true, name: true } },
    },
  });
}

/** What the invitee sees. @throws DomainError not_found for an unknown token */
export async function previewInvitation(prisma: PrismaClient, token: string): Promise<InvitationPreview> {
  return withScope(prisma, { kind: "system" }, async (db) => {
    const inv = await findInvitationByToken(db, token);
    if (!inv || inv.tenant.deletedAt) throw new DomainError("not_found", "This invitation link is not valid");
    const account = await db.user.findUnique({ where: { email: inv.email }, select: { id: true } });
    return {
      tenantName: inv.tenant.name,
      email: inv.email,
      roleName: inv.role.name,
      status: inv.status,
      expired: inv.expiresAt <= new Date(),
      expiresAt: inv.expiresAt,
      accountExists: account !== null,
    };
  });
}

function assertUsable(inv: NonNullable<Awaited<ReturnType<typeof findInvitationByToken>>>) {
  if (inv.tenant.deletedAt) throw new DomainError("not_found", "This invitation link is not valid");
  if (inv.status !== "pending") throw new DomainError("invalid", `This invitation was already ${inv.status}`);
  if (inv.expiresAt <= new Date()) throw new DomainError("invalid", "This invitation has expired: ask for a new one");
}

/**
 * Accepts an invitation. A new account is created from `fullName` + `password`; an existing account
 * must be the signed-in user (`signedInUser`) with the invited email. Creates or restores the
 * membership with the invited role, opens a session in that tenant, audits `invitation.accepted`.
 * @throws DomainError not_found (token), invalid (used/expired/missing fields),
 *   unauthorized (existing account not signed in), forbidden (signed in as someone else)
 */
export async function acceptInvitation(
  prisma: PrismaClient,
  input: AcceptInvitationRequest,
  opts: { signedInUser: { id: string; email: string } | null; meta: ClientMeta },
): Promise<{ token: string; expiresAt: Date; userId: string; tenantId: string }> {
  const { token, fullName, password } = ZAcceptInvitationRequest.parse(input);
  const passwordHash = password ? await hashPassword(password) : null;
  return withScope(prisma, { kind: "system" }, async (db) => {
    const inv = await findInvitationByToken(db, token);
    if (!inv) throw new DomainError("not_found", "This invitation link is not valid");
    assertUsable(inv);
    let user = await db.user.findUnique({ where: { email: inv.email }, select: { id: true, email: true } });
    if (user) {
      if (!opts.signedInUser)
        throw new DomainError("unauthorized", `Sign in as ${inv.email} to accept this invitation`);
      if (opts.signedInUser.id !== user.id) {
        throw new DomainError(
          "forbidden",
          `This invitation is for ${inv.email}; you are signed in as ${opts.signedInUser.email}`,
        );
      }
    } else {
      if (!fullName || !passwordHash) throw new DomainError("invalid", "Enter your name and choose a password");
      user = await db.user.create({
        data: { email: inv.email, fullName, passwordHash, emailVerifiedAt: new Date() },
        select: { id: true, email: true },
      });
    }
    const now = new Date();
    const claimed = await db.invitation.updateMany({
      where: { id: inv.id, status: "pending" },
      data: { status: "accepted", respondedAt: now, acceptedUserId: user.id },
    });
    if (claimed.count !== 1) throw new DomainError("invalid", "This invitation was already answered");
    const member = await db.member.upsert({
      where: { tenantId_userId: { tenantId: inv.tenantId, userId: user.id } },
      create: { tenantId: inv.tenantId, userId: user.id, status: "active", invitedAt: inv.createdAt, joinedAt: now },
      update: { status: "active", deletedAt: null, invitedAt: inv.createdAt, joinedAt: now },
    });
    await db.memberRole.deleteMany({ where: { memberId: member.id } });
    await db.memberRole.create({ data: { memberId: member.id, roleId: inv.roleId, tenantId: inv.tenantId } });
    const session = await createSession(db, { userId: user.id, activeTenantId: inv.tenantId }, opts.meta);
    const actor: Actor = {
      type: "user",
      userId: user.id,
      email: user.email,
      ipAddress: opts.meta.ipAddress ?? null,
      userAgent: opts.meta.userAgent ?? null,
    };
    await new AuditTrail(db, actor).record({
      tenantId: inv.tenantId,
      entityType: "member",
      entityId: member.id,
      action: "invitation.accepted",
      after: { email: user.email, role: inv.role.name, status: "active" },
      metadata: { invitationId: inv.id },
    });
    return { token: session.token, expiresAt: session.expiresAt, userId: user.id, tenantId: inv.tenantId };
  });
}

/** Declines an invitation (anyone holding the link may). @throws DomainError not_found, invalid */
export async function declineInvitation(prisma: PrismaClient, token: string, meta: ClientMeta): Promise<void> {
  await withScope(prisma, { kind: "system" }, async (db) => {
    const inv = await findInvitationByToken(db, token);
    if (!inv) throw new DomainError("not_found", "This invitation link is not valid");
    assertUsable(inv);
    await db.invitation.update({ where: { id: inv.id }, data: { status: "declined", respondedAt: new Date() } });
    await new AuditTrail(db, {
      type: "system",
      userId: null,
      email: inv.email,
      ipAddress: meta.ipAddress ?? null,
      userAgent: meta.userAgent ?? null,
    }).record({
      tenantId: inv.tenantId,
      entityType: "invitation",
      entityId: inv.id,
      action: "invitation.declined",
      before: { status: "pending" },
      after: { status: "declined" },
    });
  });
}

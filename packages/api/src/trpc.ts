/**
 * tRPC 11 setup: the context, error mapping and the procedure builders — the one place they are made.
 *
 * Procedure builders (create-t3-turbo's pattern: each narrows the context, so handlers need no checks):
 * - `publicProcedure`           anyone; `ctx.prisma` only (auth flows open their own scoped transactions)
 * - `authedProcedure`           a signed-in person; runs in a `user`-scoped transaction (`ctx.db`)
 * - `tenantProcedure`           a person or wall display with an active tenant they may access; runs in
 *                               a transaction scoped to that tenant; `ctx.tenant` holds the verified
 *                               tenant id, roles and permissions. Handlers never take a tenant id from input.
 * - `permittedProcedure(r, a)`  tenantProcedure + the permission `a` on resource `r`
 * - `providerProcedure(...roles)` Fleetcore staff (adm_provider_employees) with one of `roles` (any if
 *                               none given); runs in the cross-tenant `provider` scope.
 * - `permittedExternalProcedure`, `providerExternalProcedure`: the same checks, for handlers that call
 *                               an external API (Stripe): no transaction is held around the handler;
 *                               it opens short ones with `ctx.inTx` (never across a network call).
 *
 * Every scoped procedure gets `ctx.audit` (an AuditTrail in the same transaction). A mutation that
 * wrote no audit row of its own gets a generic one, so every mutation is in adm_audit_logs.
 * The context is built without HTTP ({@link createContextInner}) so tests call procedures directly.
 */
import {
  type Actor,
  ANONYMOUS_ME,
  AuditTrail,
  BILLING_NOT_CONFIGURED,
  BILLING_NOT_CONFIGURED_MESSAGE,
  type BillingEmail,
  type BillingServices,
  type ClientMeta,
  DomainError,
  describeSession,
  type EmailTransport,
  findProviderEmployee,
  type InTransaction,
  isTenantLocked,
  LoginThrottle,
  mayPayWhileSuspended,
  NOOP_USAGE_SINK,
  OutboxEmailTransport,
  resolveDisplayAccess,
  resolveTenantAccess,
  type SessionContext,
  type StoredMessage,
  type StoredVehicleEvent,
  type TenantAccess,
  type UsageSink,
} from "@fleetcore/core";
import { type Db, type DbScope, type PrismaClient, withScope } from "@fleetcore/db";
import type { ServerToClientEvents } from "@fleetcore/realtime";
import {
  hasPermission,
  type PermissionAction,
  type PermissionResource,
  type ProviderRole,
} from "@fleetcore/validators";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";

/** Publishes a live event to every socket that joined a tenant's room. */
export type TenantEventPublisher = <E extends keyof ServerToClientEvents>(
  tenantId: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

/**
 * Emits a live event to a room of the default Socket.IO namespace: a person's room
 * (`userRoom(userId)`, notifications) or the provider support room (`SUPPORT_ROOM`).
 */
export type RoomPublisher = <E extends keyof ServerToClientEvents>(
  room: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

/** Sets and clears the session cookie (the HTTP adapter implements it; tests record calls). */
export interface SessionCookies {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** Process-wide collaborators. */
export interface Services {
  email: EmailTransport;
  loginThrottle: LoginThrottle;
  /** Origin of the web app, for links in emails (e.g. "https://fleet.example.com"). */
  publicUrl: string;
  /** Publishes stored feed items on `/live` (`event`, `message`) to their tenants' rooms. */
  feed: { publishFeed(items: { events?: StoredVehicleEvent[]; messages?: StoredMessage[] }): void };
  /** Sends queued driver messages now (the server's OutboundMessageDispatcher); call after commit. */
  outbound: { kick(): void };
  /** Emits to user rooms and the support room (call after commit: `ctx.afterCommit`). */
  rooms: RoomPublisher;
  /** The Stripe client and webhook secret; `stripe: null` = billing not configured (no STRIPE_SECRET_KEY). */
  billing: BillingServices;
  /** Where billing notices' email copies go (dunning, payment failures): the email transport and publicUrl. */
  billingEmail: BillingEmail;
  /**
   * Product usage (issue 8): every successful tenantProcedure mutation by a member is recorded here
   * after commit (feature = the procedure path); reads come from the web's `usage.page` beacon. The server passes a buffered UsageRecorder; absent
   * = nothing recorded.
   */
  usage?: UsageSink;
}

/** What every procedure receives. */
export interface Context {
  prisma: PrismaClient;
  publish: TenantEventPublisher;
  services: Services;
  /** Client IP and user agent (recorded on sessions and audit rows). */
  meta: ClientMeta;
  cookies: SessionCookies;
  /** The validated session of the request, or null (anonymous). */
  session: SessionContext | null;
  /** Callbacks to run once the procedure's transaction has committed (live events). */
  afterCommit: Array<() => void>;
}

/** Builds a context from its parts (no HTTP request needed). */
export function createContextInner(opts: {
  prisma: PrismaClient;
  session?: SessionContext | null;
  publish?: TenantEventPublisher;
  services?: Partial<Services>;
  meta?: ClientMeta;
  cookies?: SessionCookies;
}): Context {
  const email = opts.services?.email ?? new OutboxEmailTransport();
  const publicUrl = opts.services?.publicUrl ?? "http://localhost:3000";
  return {
    prisma: opts.prisma,
    publish: opts.publish ?? (() => {}),
    services: {
      email,
      loginThrottle: opts.services?.loginThrottle ?? new LoginThrottle(),
      publicUrl,
      feed: opts.services?.feed ?? { publishFeed() {} },
      outbound: opts.services?.outbound ?? { kick() {} },
      rooms: opts.services?.rooms ?? (() => {}),
      billing: opts.services?.billing ?? BILLING_NOT_CONFIGURED,
      billingEmail: opts.services?.billingEmail ?? { transport: email, publicUrl },
      usage: opts.services?.usage ?? NOOP_USAGE_SINK,
    },
    meta: opts.meta ?? {},
    cookies: opts.cookies ?? { set() {}, clear() {} },
    session: opts.session ?? null,
    afterCommit: [],
  };
}

/**
 * Per-procedure metadata (`.meta({...})`), read by the procedure builders.
 * - `whileSuspendedForPayment`: the procedure stays open to a tenant's owners and admins while the
 *   tenant is suspended for non-payment (billing: they must be able to pay); everything else is locked.
 */
export interface ProcedureMeta {
  whileSuspendedForPayment?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        data: {
          ...shape.data,
          // Field-level messages for forms when input validation failed.
          fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : null,
          retryAfterS: cause instanceof DomainError ? (cause.retryAfterS ?? null) : null,
        },
      };
    },
  });

const DOMAIN_TO_TRPC = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  rate_limited: "TOO_MANY_REQUESTS",
} as const;

/** Maps domain errors thrown by services to tRPC codes; anything else stays a 500. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: DOMAIN_TO_TRPC[cause.code], message: cause.message, cause });
  }
  return result;
});

/**
 * Runs the call's after-commit callbacks once the whole procedure succeeded. Each call gets its own
 * queue: the calls of one batched HTTP request share a context, and a failed sibling's callbacks
 * (or a concurrent one's, before it committed) must never run with another call's success.
 */
const afterCommit = t.middleware(async ({ next }) => {
  const queue: Array<() => void> = [];
  const result = await next({ ctx: { afterCommit: queue } });
  if (result.ok) for (const fn of queue) fn();
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(domainErrors).use(afterCommit);

const ROLLBACK = Symbol("rollback");

function actorOf(ctx: Context, type: Actor["type"]): Actor {
  const user = ctx.session?.user ?? null;
  return {
    type,
    userId: user?.id ?? null,
    email: user?.email ?? null,
    ipAddress: ctx.meta.ipAddress ?? null,
    userAgent: ctx.meta.userAgent ?? null,
  };
}

/**
 * Runs the rest of the chain inside one scoped transaction, with `db` and `audit` in context; a
 * failed procedure rolls the transaction back. Mutations without an audit row of their own get a
 * generic one (action = the procedure path).
 */
async function inScope<R extends { ok: boolean }>(
  ctx: Context,
  scope: DbScope,
  actor: Actor,
  meta: { type: string; path: string; tenantId: string | null },
  run: (db: Db, audit: AuditTrail) => Promise<R>,
): Promise<R> {
  let result: R | undefined;
  try {
    await withScope(ctx.prisma, scope, async (db) => {
      const audit = new AuditTrail(db, actor);
      result = await run(db, audit);
      if (!result.ok) throw ROLLBACK;
      if (meta.type === "mutation" && audit.count === 0) {
        await audit.record({ tenantId: meta.tenantId, entityType: "procedure", action: meta.path });
      }
    });
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  return result as R;
}

/** A signed-in person (not a wall display); `user`-scoped transaction. UNAUTHORIZED otherwise. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next, type, path }) => {
  const session = ctx.session;
  const user = session?.user;
  if (!session || !user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return inScope(
    ctx,
    { kind: "user", userId: user.id },
    actorOf(ctx, "user"),
    { type, path, tenantId: null },
    (db, audit) => next({ ctx: { session, user, db, audit } }),
  );
});

/** The session and tenant a tenant-scoped call runs for; UNAUTHORIZED / PRECONDITION_FAILED / FORBIDDEN. */
function tenantCall(ctx: Context, type: string) {
  const session = ctx.session;
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  const tenantId = session.activeTenantId;
  if (!tenantId) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Choose a tenant first" });
  if (session.display && type !== "query") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Wall displays are read-only" });
  }
  const userId = session.user?.id ?? null;
  const scope: DbScope = { kind: "tenant", tenantId, userId };
  const actorType: Actor["type"] = session.display ? "display" : "user";
  return { session, tenantId, userId, scope, actor: actorOf(ctx, actorType) };
}

/**
 * Re-reads the caller's access to the tenant (membership, provider access, or the display token's
 * tenant) in the tenant-scope transaction `db`; FORBIDDEN when it is gone or the tenant is suspended
 * or closed (provider staff excepted).
 */
async function verifyTenantAccess(
  db: Db,
  call: ReturnType<typeof tenantCall>,
  meta: ProcedureMeta | undefined,
): Promise<TenantAccess> {
  const { session, tenantId, userId } = call;
  const access: TenantAccess | null = session.display
    ? await resolveDisplayAccess(db, tenantId)
    : userId
      ? await resolveTenantAccess(db, userId, tenantId)
      : null;
  if (!access) throw new TRPCError({ code: "FORBIDDEN", message: "You no longer have access to this tenant" });
  if (access.access !== "provider" && isTenantLocked(access.tenantStatus)) {
    if (await mayPayWhileSuspended(db, access)) {
      if (meta?.whileSuspendedForPayment) return access;
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `${access.tenantName} is suspended for non-payment. Pay the overdue invoice on the billing page to restore access.`,
      });
    }
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `${access.tenantName} is ${access.tenantStatus}. Contact your Fleetcore account manager.`,
    });
  }
  if (access.access === "provider") call.actor.type = "provider";
  return access;
}

/** Records a member's committed mutation as product usage (not visiting staff's or a display's). */
function recordUsage(ctx: Context, call: ReturnType<typeof tenantCall>, access: TenantAccess | null, path: string) {
  // Queries are not recorded: polling (refetchInterval) and open tabs would keep sessions alive and
  // count idle people as active; reads are the web app's `usage.page` beacon (usage.ts).
  if (access?.access === "member" && call.userId) {
    ctx.services.usage?.record({
      time: new Date(),
      tenantId: call.tenantId,
      userId: call.userId,
      feature: path,
      kind: "procedure",
    });
  }
}

function requirePermission(access: TenantAccess, resource: PermissionResource, action: PermissionAction) {
  if (!hasPermission(access.permissions, resource, action)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `Your role does not allow ${action} on ${resource}` });
  }
}

/**
 * The session's active tenant, verified on every call: membership (or provider access, or the
 * display token's tenant) re-read from the database, the tenant not suspended or closed (provider
 * staff excepted), wall displays limited to queries. Runs in that tenant's scope. A tenant suspended
 * for non-payment stays open to its owners and admins for procedures with `whileSuspendedForPayment`.
 */
export const tenantProcedure = publicProcedure.use(async ({ ctx, next, type, path, meta }) => {
  const call = tenantCall(ctx, type);
  const { session, tenantId } = call;
  const verified: { access: TenantAccess | null } = { access: null };
  const result = await inScope(ctx, call.scope, call.actor, { type, path, tenantId }, async (db, audit) => {
    const access = await verifyTenantAccess(db, call, meta);
    verified.access = access;
    return next({ ctx: { session, db, audit, tenant: access, tenantId } });
  });
  if (result.ok && type === "mutation") recordUsage(ctx, call, verified.access, path);
  return result;
});

/** tenantProcedure, plus `action` on `resource` in the caller's permission set. FORBIDDEN otherwise. */
export function permittedProcedure(resource: PermissionResource, action: PermissionAction) {
  return tenantProcedure.use(({ ctx, next }) => {
    requirePermission(ctx.tenant, resource, action);
    return next();
  });
}

/** A new short transaction of `scope` per call, with an audit trail by `actor` (see {@link InTransaction}). */
function transactionsOf(ctx: Context, scope: DbScope, actor: Actor): InTransaction {
  return (fn) => withScope(ctx.prisma, scope, (db) => fn({ db, audit: new AuditTrail(db, actor) }));
}

/**
 * {@link permittedProcedure}'s checks without a transaction around the handler: for handlers that call
 * an external API (Stripe), which must not run while a transaction holds a pooled connection and its
 * locks. Access and permission are verified in a short tenant-scope transaction; the handler gets
 * `ctx.inTx(fn)`, a new short transaction of that scope (with an audit trail) per call, and records
 * its own audit rows there (no generic row is added).
 */
export function permittedExternalProcedure(resource: PermissionResource, action: PermissionAction) {
  return publicProcedure.use(async ({ ctx, next, type, path, meta }) => {
    const call = tenantCall(ctx, type);
    const access = await withScope(ctx.prisma, call.scope, (db) => verifyTenantAccess(db, call, meta));
    requirePermission(access, resource, action);
    const inTx = transactionsOf(ctx, call.scope, call.actor);
    const result = await next({ ctx: { session: call.session, tenant: access, tenantId: call.tenantId, inTx } });
    if (result.ok && type === "mutation") recordUsage(ctx, call, access, path);
    return result;
  });
}

/** FORBIDDEN unless `employee` is staff with one of `roles` (any staff role when none given). */
function requireStaffRole(employee: Awaited<ReturnType<typeof findProviderEmployee>>, roles: ProviderRole[]) {
  if (!employee) throw new TRPCError({ code: "FORBIDDEN", message: "Only Fleetcore staff may do this" });
  if (roles.length > 0 && !roles.includes(employee.role)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `This needs one of these staff roles: ${roles.join(", ")}` });
  }
}

/**
 * Fleetcore staff with one of `roles` (any staff role when none given), in the cross-tenant
 * `provider` scope — the explicit, audited path across tenants. FORBIDDEN for everyone else.
 */
export function providerProcedure(...roles: ProviderRole[]) {
  return publicProcedure.use(async ({ ctx, next, type, path }) => {
    const session = ctx.session;
    const user = session?.user;
    if (!session || !user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
    return inScope(
      ctx,
      { kind: "provider", userId: user.id },
      actorOf(ctx, "provider"),
      { type, path, tenantId: null },
      async (db, audit) => {
        const employee = await findProviderEmployee(db, user.id);
        requireStaffRole(employee, roles);
        return next({ ctx: { session, user, db, audit, employee: employee as NonNullable<typeof employee> } });
      },
    );
  });
}

/**
 * {@link providerProcedure}'s checks without a transaction around the handler (see
 * {@link permittedExternalProcedure}): staff role verified in a short provider-scope transaction; the
 * handler gets `ctx.inTx(fn)` for short transactions of that scope and records its own audit rows.
 */
export function providerExternalProcedure(...roles: ProviderRole[]) {
  return publicProcedure.use(async ({ ctx, next }) => {
    const session = ctx.session;
    const user = session?.user;
    if (!session || !user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
    const scope: DbScope = { kind: "provider", userId: user.id };
    const employee = await withScope(ctx.prisma, scope, (db) => findProviderEmployee(db, user.id));
    requireStaffRole(employee, roles);
    const inTx = transactionsOf(ctx, scope, actorOf(ctx, "provider"));
    return next({ ctx: { session, user, employee: employee as NonNullable<typeof employee>, inTx } });
  });
}

/**
 * The Stripe client of the process, or PRECONDITION_FAILED "Billing is not configured…" (no
 * STRIPE_SECRET_KEY) — the one check every billing procedure that calls Stripe makes.
 */
export function stripeOf(ctx: Pick<Context, "services">): NonNullable<BillingServices["stripe"]> {
  const stripe = ctx.services.billing.stripe;
  if (!stripe) throw new TRPCError({ code: "PRECONDITION_FAILED", message: BILLING_NOT_CONFIGURED_MESSAGE });
  return stripe;
}

/** The `auth.me` answer for the context's session, resolving its active tenant (null if no longer accessible). */
export async function currentMe(ctx: Context) {
  const session = ctx.session;
  if (!session) return ANONYMOUS_ME;
  const tenantId = session.activeTenantId;
  const scope: DbScope = tenantId
    ? { kind: "tenant", tenantId, userId: session.user?.id ?? null }
    : session.user
      ? { kind: "user", userId: session.user.id }
      : { kind: "system" };
  return withScope(ctx.prisma, scope, async (db) => {
    let access: TenantAccess | null = null;
    if (tenantId) {
      access = session.display
        ? await resolveDisplayAccess(db, tenantId)
        : session.user
          ? await resolveTenantAccess(db, session.user.id, tenantId)
          : null;
    }
    const billingOnly = access !== null && (await mayPayWhileSuspended(db, access));
    return describeSession(db, session, access, { billingOnly });
  });
}

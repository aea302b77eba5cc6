/**
 * tRPC 11 setup: the context, error mapping and the procedure builders — the one place they are made.
 *
 * The context is built without HTTP ({@link createContextInner}) so tests call procedures directly with
 * `createCaller` against the real database.
 */
import { DomainError } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { ServerToClientEvents } from "@fleetcore/realtime";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";

/** Publishes a live event to every socket that joined a tenant's room. */
export type TenantEventPublisher = <E extends keyof ServerToClientEvents>(
  tenantId: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

/** What every procedure receives. */
export interface Context {
  db: PrismaClient;
  publish: TenantEventPublisher;
}

/** Builds a context from its parts (no HTTP request needed). */
export function createContextInner(opts: { db: PrismaClient; publish?: TenantEventPublisher }): Context {
  return { db: opts.db, publish: opts.publish ?? (() => {}) };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field-level messages for forms when input validation failed.
        fieldErrors: error.cause instanceof ZodError ? z.flattenError(error.cause).fieldErrors : null,
      },
    };
  },
});

const DOMAIN_TO_TRPC = { not_found: "NOT_FOUND", conflict: "CONFLICT", invalid: "BAD_REQUEST" } as const;

/** Maps domain errors thrown by services to tRPC codes (404, 409, 400); anything else stays a 500. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: DOMAIN_TO_TRPC[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone may call it (later issues add `authedProcedure`, `tenantProcedure`, `providerProcedure`). */
export const publicProcedure = t.procedure.use(domainErrors);

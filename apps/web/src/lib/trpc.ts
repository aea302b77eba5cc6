/**
 * tRPC client for React Query. Only `type AppRouter` comes from the server side.
 */
import type { AppRouter } from "@fleetcore/api";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Same-origin client: in production the server serves this app; in dev Vite proxies /trpc.
 * The session lives in an HttpOnly cookie, so every request carries credentials.
 */
export function createClient() {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: "/trpc",
        transformer: superjson,
        fetch: (url, init) => fetch(url, { ...init, credentials: "include" }),
      }),
    ],
  });
}

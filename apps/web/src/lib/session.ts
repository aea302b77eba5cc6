/**
 * Who is signed in (`auth.me`) and the transitions between sessions. Every transition (sign-in,
 * sign-out, tenant switch, accepting an invitation) drops every cached query but `auth.me`, so no data
 * of one tenant or user is ever shown under another, and re-handshakes the live socket.
 */
import { hasPermission, type Me, type PermissionAction, type PermissionResource } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useNavigate } from "react-router";
import { closeSocket, reconnectSocket } from "./socket";
import { useTRPC } from "./trpc";

export function useMe() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
}

/** True when the active tenant grants `action` on `resource` to this session. */
export function can(me: Me | undefined, resource: PermissionResource, action: PermissionAction): boolean {
  const tenant = me?.activeTenant;
  if (!tenant) return false;
  // Suspended for non-payment: billing only (to pay; BillingPage offers nothing else then).
  if (tenant.billingOnly && resource !== "billing") return false;
  return hasPermission(tenant.permissions, resource, action);
}

/** Replaces the session in the cache by `me` (what login, switchTenant and invitation.accept return). */
export function useApplySession(): (me: Me) => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    (me: Me) => {
      const meKey = trpc.auth.me.queryKey();
      const meHash = JSON.stringify(meKey);
      void queryClient.cancelQueries({ predicate: (q) => JSON.stringify(q.queryKey) !== meHash });
      queryClient.removeQueries({ predicate: (q) => JSON.stringify(q.queryKey) !== meHash });
      queryClient.setQueryData(meKey, me);
      if (me.kind === "anonymous") closeSocket();
      else reconnectSocket();
    },
    [trpc, queryClient],
  );
}

/**
 * Signs out, then loads `to` afresh: a full page load leaves nothing of the signed-in session in memory
 * (query cache, socket), and no guard of the page being left can send us to `/login?next=<that page>`.
 * Locally signed out even if the server call fails (e.g. the session had already expired).
 */
export function useSignOut(to = "/login") {
  const trpc = useTRPC();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        closeSocket();
        window.location.replace(to);
      },
    }),
  );
  return { signOut: () => logout.mutate(), isPending: logout.isPending || logout.isSuccess };
}

/**
 * Switches the active tenant (also how provider staff open a tenant), then goes to `navigateTo` if given.
 * Navigation happens here, not in a `mutate` callback: the page that asked is re-mounted by the switch.
 */
export function useSwitchTenant(opts: { navigateTo?: string } = {}) {
  const trpc = useTRPC();
  const applySession = useApplySession();
  const navigate = useNavigate();
  return useMutation(
    trpc.auth.switchTenant.mutationOptions({
      onSuccess: (me) => {
        applySession(me);
        if (opts.navigateTo) navigate(opts.navigateTo);
      },
    }),
  );
}

/**
 * A `?next=` value that is safe to navigate to: a path on this origin ("/members"), never another site
 * ("//evil.example", "https://…", "/\\evil.example").
 */
export function safeNextPath(next: string | null): string | null {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  try {
    const url = new URL(next, window.location.origin);
    if (url.origin !== window.location.origin) return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}

/** The sign-in page, coming back to `path` afterwards. */
export function loginPath(path: string): string {
  return path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`;
}

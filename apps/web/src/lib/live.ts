import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { getSocket } from "./socket";
import { useTRPC } from "./trpc";

/**
 * The active tenant's vehicles, kept live: the server joins this session's socket to its active
 * tenant's room, and every `vehicle:created` there (or a reconnect, which may have missed some)
 * refreshes the list.
 */
export function useLiveVehicles(tenantId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    const socket = getSocket();
    const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.vehicle.list.queryKey() });
    const onCreated = (event: { tenantId: string }) => {
      if (event.tenantId === tenantId) void refresh();
    };
    socket.on("vehicle:created", onCreated);
    socket.on("connect", refresh);
    return () => {
      socket.off("vehicle:created", onCreated);
      socket.off("connect", refresh);
    };
  }, [tenantId, queryClient, trpc]);
  return useQuery(trpc.vehicle.list.queryOptions({}));
}

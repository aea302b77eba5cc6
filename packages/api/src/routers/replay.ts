import { getFleetReplay, getVehicleHistory } from "@fleetcore/core";
import { ZFleetReplay, ZFleetReplayRequest, ZVehicleHistory, ZVehicleHistoryRequest } from "@fleetcore/validators";
import { permittedProcedure, router } from "../trpc";

/** History for replay (positions:read): one vehicle's track with its trip summary, or the whole fleet bucketed in time. */
export const replayRouter = router({
  /**
   * One vehicle's track in [from, to) (≤ 31 days), time order, thinned to ≤ 10,000 points, and the
   * trip summary of every fix. NOT_FOUND for another tenant's vehicle; BAD_REQUEST for a bad period.
   */
  vehicle: permittedProcedure("positions", "read")
    .input(ZVehicleHistoryRequest)
    .output(ZVehicleHistory)
    .query(({ ctx, input }) => getVehicleHistory(ctx.db, ctx.tenantId, input)),

  /**
   * Every vehicle's last fix per time bucket in [from, to) (≤ 7 days); the bucket widens until the
   * answer fits 200,000 rows. BAD_REQUEST for a bad period.
   */
  fleet: permittedProcedure("positions", "read")
    .input(ZFleetReplayRequest)
    .output(ZFleetReplay)
    .query(({ ctx, input }) => getFleetReplay(ctx.db, ctx.tenantId, input)),
});

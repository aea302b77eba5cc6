/**
 * The application router. `AppRouter` is the only thing the web app imports from the server side
 * (as a type).
 */
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { deviceRouter } from "./routers/device";
import { displayRouter } from "./routers/display";
import { driverRouter } from "./routers/driver";
import { gtfsFeedRouter } from "./routers/gtfsFeed";
import { ingestKeyRouter } from "./routers/ingestKey";
import { invitationRouter } from "./routers/invitation";
import { memberRouter } from "./routers/member";
import { providerRouter } from "./routers/provider";
import { replayRouter } from "./routers/replay";
import { systemRouter } from "./routers/system";
import { vehicleRouter } from "./routers/vehicle";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  invitation: invitationRouter,
  member: memberRouter,
  display: displayRouter,
  audit: auditRouter,
  provider: providerRouter,
  vehicle: vehicleRouter,
  device: deviceRouter,
  driver: driverRouter,
  ingestKey: ingestKeyRouter,
  gtfsFeed: gtfsFeedRouter,
  replay: replayRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ prisma, session }))`. */
export const createCaller = createCallerFactory(appRouter);

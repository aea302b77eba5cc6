/**
 * The application router. `AppRouter` is the only thing the web app imports from the server side
 * (as a type).
 */
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { deviceRouter } from "./routers/device";
import { displayRouter } from "./routers/display";
import { ingestKeyRouter } from "./routers/ingestKey";
import { invitationRouter } from "./routers/invitation";
import { memberRouter } from "./routers/member";
import { providerRouter } from "./routers/provider";
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
  ingestKey: ingestKeyRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ prisma, session }))`. */
export const createCaller = createCallerFactory(appRouter);

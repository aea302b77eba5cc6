/**
 * The application router. `AppRouter` is the only thing the web app imports from the server side
 * (as a type).
 */
import { systemRouter } from "./routers/system";
import { tenantRouter } from "./routers/tenant";
import { vehicleRouter } from "./routers/vehicle";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  system: systemRouter,
  tenant: tenantRouter,
  vehicle: vehicleRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ db }))`. */
export const createCaller = createCallerFactory(appRouter);

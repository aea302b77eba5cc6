export { type AppRouter, appRouter, createCaller } from "./root";
export { type Context, createContextInner, type TenantEventPublisher } from "./trpc";

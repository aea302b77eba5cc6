export { type AppRouter, appRouter, createCaller } from "./root";
export {
  type Context,
  createContextInner,
  type Services,
  type SessionCookies,
  type TenantEventPublisher,
} from "./trpc";

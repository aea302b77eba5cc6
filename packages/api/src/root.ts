/**
 * The application router. `AppRouter` is the only thing the web app imports from the server side
 * (as a type).
 */
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { billingRouter } from "./routers/billing";
import { billingAdminRouter } from "./routers/billingAdmin";
import { billingMetricsRouter } from "./routers/billingMetrics";
import { conversationRouter } from "./routers/conversation";
import { crmRouter } from "./routers/crm";
import { deviceRouter } from "./routers/device";
import { displayRouter } from "./routers/display";
import { driverRouter } from "./routers/driver";
import { eventRouter } from "./routers/event";
import { explorerRouter } from "./routers/explorer";
import { feedbackRouter } from "./routers/feedback";
import { geofenceRouter } from "./routers/geofence";
import { gtfsFeedRouter } from "./routers/gtfsFeed";
import { healthProfilesRouter } from "./routers/healthProfiles";
import { ingestKeyRouter } from "./routers/ingestKey";
import { integrationRouter } from "./routers/integration";
import { invitationRouter } from "./routers/invitation";
import { memberRouter } from "./routers/member";
import { messageAnalyticsRouter } from "./routers/messageAnalytics";
import { notificationRouter } from "./routers/notification";
import { portfolioRouter } from "./routers/portfolio";
import { providerRouter } from "./routers/provider";
import { replayRouter } from "./routers/replay";
import { supportDeskRouter } from "./routers/supportDesk";
import { supportMetricsRouter } from "./routers/supportMetrics";
import { supportSettingsRouter } from "./routers/supportSettings";
import { systemRouter } from "./routers/system";
import { ticketRouter } from "./routers/ticket";
import { vehicleRouter } from "./routers/vehicle";
import { createCallerFactory, router } from "./trpc";
import { usageRouter } from "./usage";

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  invitation: invitationRouter,
  member: memberRouter,
  display: displayRouter,
  audit: auditRouter,
  provider: providerRouter,
  crm: crmRouter,
  vehicle: vehicleRouter,
  device: deviceRouter,
  driver: driverRouter,
  geofence: geofenceRouter,
  ingestKey: ingestKeyRouter,
  gtfsFeed: gtfsFeedRouter,
  replay: replayRouter,
  event: eventRouter,
  conversation: conversationRouter,
  integration: integrationRouter,
  messageAnalytics: messageAnalyticsRouter,
  notification: notificationRouter,
  supportMetrics: supportMetricsRouter,
  ticket: ticketRouter,
  supportDesk: supportDeskRouter,
  supportSettings: supportSettingsRouter,
  feedback: feedbackRouter,
  billing: billingRouter,
  billingAdmin: billingAdminRouter,
  billingMetrics: billingMetricsRouter,
  usage: usageRouter,
  healthProfiles: healthProfilesRouter,
  explorer: explorerRouter,
  portfolio: portfolioRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ prisma, session }))`. */
export const createCaller = createCallerFactory(appRouter);

/**
 * @fleetcore/core — domain services. Pure where possible; never imports tRPC, React or Socket.IO.
 */
export * from "./audit/audit";
export * from "./displays/displays";
export * from "./email/transport";
export * from "./errors";
export * from "./fleet/assignments";
export * from "./fleet/devices";
export * from "./fleet/drivers";
export * from "./fleet/vehicles";
export * from "./identity/access";
export * from "./identity/auth";
export * from "./identity/passwords";
export * from "./identity/sessions";
export * from "./identity/throttle";
export * from "./identity/tokens";
export * from "./ingest/apiKeys";
export * from "./ingest/geo";
export * from "./ingest/gtfsFeeds";
export * from "./ingest/gtfsRealtime";
export * from "./ingest/osmand";
export * from "./ingest/service";
export * from "./ingest/store";
export * from "./ingest/traccar";
export * from "./ingest/types";
export * from "./ingest/validate";
export * from "./members/members";
export * from "./messaging/feed";
export * from "./messaging/inbound";
export * from "./telemetry/positions";
export * from "./telemetry/replay";
export * from "./telemetry/retention";
export * from "./telemetry/status";
export * from "./tenancy/provider";
export * from "./tenancy/tenants";
export * from "./webhooks/samsara";
export * from "./webhooks/whatsapp";

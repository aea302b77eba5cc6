/**
 * zod schemas shared by forms, tRPC procedures, ingest and socket payloads. Depends on zod only.
 */
export * from "./audit";
export * from "./auth";
export * from "./billing";
export * from "./billingMetrics";
export * from "./crm";
export * from "./displays";
export * from "./drivers";
export * from "./explorer";
export * from "./fleet";
export * from "./geofences";
export * from "./gtfs";
export * from "./health";
export * from "./members";
export * from "./messageAnalytics";
export * from "./messaging";
export * from "./permissions";
export * from "./portfolio";
export * from "./provider";
export * from "./replay";
export * from "./support";
export * from "./supportMetrics";
export * from "./tenant";
export * from "./timeZones";

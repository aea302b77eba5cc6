/**
 * zod schemas shared by forms, tRPC procedures, ingest and socket payloads. Depends on zod only.
 */
export * from "./audit";
export * from "./auth";
export * from "./displays";
export * from "./fleet";
export * from "./members";
export * from "./permissions";
export * from "./provider";
export * from "./tenant";

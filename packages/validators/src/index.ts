/**
 * zod schemas shared by forms, tRPC procedures, ingest and socket payloads. Depends on zod only.
 */
export * from "./fleet";
export * from "./tenant";

/** The replay tool's modules, for tests and for other tools that want to stream a CSV through ingest. */
export * from "./csv.ts";
export * from "./geo.ts";
export * from "./main.ts";
export * from "./replay.ts";
export * from "./schedule.ts";
export * from "./sender.ts";
export * from "./progress.ts";

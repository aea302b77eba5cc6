/** The replay tool's modules, for tests and for other tools that want to stream a CSV through ingest. */
export * from "./csv";
export * from "./geo";
export * from "./main";
export * from "./progress";
export * from "./register";
export * from "./replay";
export * from "./schedule";
export * from "./sender";

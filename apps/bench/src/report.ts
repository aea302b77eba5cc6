/**
 * Figures and tables for the benchmarks' output, and a summary of a V8 `--cpu-prof` profile by
 * stage of the ingest path.
 */
import { readFileSync } from "node:fs";

/** The q-quantile (0..1, nearest rank) of ascending-sorted `sorted`; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** `12,345` */
export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Prints rows as an aligned table (first column left, others right). */
export function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const [n, r] of cells.entries()) {
    console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("   ")}`);
    if (n === 0) console.log(`  ${widths.map((w) => "-".repeat(w)).join("   ")}`);
  }
}

/** Server CPU between two `process.cpuUsage()` readings, as % of one core over `wallMs`. */
export function cpuPercent(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, wallMs: number): number {
  return ((b.user - a.user + b.system - a.system) / 1000 / wallMs) * 100;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Stages of the ingest path, recognised by the innermost matching frame of each sample. */
const STAGES: { name: string; test: (url: string, fn: string) => boolean }[] = [
  { name: "GC", test: (_u, fn) => fn === "(garbage collector)" },
  { name: "JSON decode (request body)", test: (u) => u.includes("secure-json-parse") },
  { name: "validation (zod ZBatchPosition)", test: (u) => u.includes("/zod@") || u.includes("/zod/") },
  {
    name: "checks + device resolution (core service.ts, validate.ts)",
    test: (u) => u.includes("core/src/ingest/service") || u.includes("core/src/ingest/validate"),
  },
  { name: "writer JS: rows, distances (core store.ts)", test: (u) => u.includes("core/src/ingest/store") },
  {
    name: "DB driver: encode params, parse rows, socket (pg)",
    test: (u) => /\/(pg|pg-protocol|pg-types|postgres-array|postgres-date|pg-pool|pg-copy-streams)[@/]/.test(u),
  },
  { name: "live fan-out + Socket.IO", test: (u) => u.includes("server/src/live") || u.includes("socket.io") },
  { name: "batch route handler (server ingest.ts)", test: (u) => u.includes("server/src/ingest") },
  {
    name: "HTTP: node http, Fastify, reply",
    test: (u) =>
      u.includes("/fastify@") ||
      u.includes("/@fastify/") ||
      u.startsWith("node:_http") ||
      u.includes("node:internal/http"),
  },
];

/**
 * Splits the non-idle samples of a `.cpuprofile` by {@link STAGES}: each sample counts for the
 * innermost frame that matches a stage, else "other".
 * @returns stage → milliseconds of CPU, descending, and the total non-idle milliseconds
 */
export function summariseProfile(file: string): { stages: [string, number][]; totalMs: number } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string | null>();
  const classify = (id: number): string | null => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const fn = node?.callFrame.functionName ?? "";
    let stage: string | null = null;
    if (fn === "(idle)") stage = "(idle)";
    else {
      stage = STAGES.find((s) => s.test(node?.callFrame.url ?? "", fn))?.name ?? null;
      const up = parent.get(id);
      if (stage === null && up !== undefined) stage = classify(up);
    }
    stageOf.set(id, stage);
    return stage;
  };
  const ms = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const stage = classify(id) ?? "other (timers, event loop, program)";
    if (stage === "(idle)") return;
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += dt;
    ms.set(stage, (ms.get(stage) ?? 0) + dt);
  });
  return { stages: [...ms].sort((a, b) => b[1] - a[1]), totalMs };
}

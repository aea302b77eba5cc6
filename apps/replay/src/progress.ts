/** Progress on stderr: a bar (cli-progress) on a terminal, a plain line every few seconds otherwise. */
import type { Writable } from "node:stream";
import cliProgress from "cli-progress";
import type { ReplayStats } from "./replay";

/** Receives live stats; `stop` ends the display (call it once, before printing the summary). */
export interface ProgressReporter {
  update(stats: ReplayStats): void;
  stop(stats: ReplayStats): void;
}

/** Positions finished per second since the start (0 before any time has passed). */
export function ratePerS(stats: ReplayStats, nowMs = performance.now()): number {
  const elapsedS = (nowMs - stats.startedMs) / 1000;
  return elapsedS > 0 ? stats.sent / elapsedS : 0;
}

/**
 * A bar when `tty` is true (redrawn at most ~10×/s by cli-progress), else a line such as
 * `replay: 1200/32038 (3.7%) accepted 1190 rejected 10 failed 0 · 118.4 positions/s` every
 * `intervalMs` (default 5 s) while anything changed, and one at the end.
 */
export function createProgress(opts: { stream: Writable; tty: boolean; total: number; intervalMs?: number }) {
  return opts.tty ? barProgress(opts.stream, opts.total) : lineProgress(opts.stream, opts.intervalMs ?? 5000);
}

function payload(stats: ReplayStats) {
  return {
    accepted: stats.accepted,
    rejected: stats.rejected,
    failed: stats.failed,
    rate: ratePerS(stats).toFixed(1),
  };
}

function barProgress(stream: Writable, total: number): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      // cli-progress only needs write/cursorTo/clearLine…, which a TTY WriteStream has.
      stream: stream as NodeJS.WritableStream,
      format:
        "replay |{bar}| {percentage}% {value}/{total} | accepted {accepted} rejected {rejected} failed {failed} | {rate}/s | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { accepted: 0, rejected: 0, failed: 0, rate: "0.0" });
  return {
    update: (stats) => bar.update(stats.sent, payload(stats)),
    stop: (stats) => {
      bar.update(stats.sent, payload(stats));
      bar.stop();
    },
  };
}

function line(stats: ReplayStats): string {
  const pct = stats.planned ? ((100 * stats.sent) / stats.planned).toFixed(1) : "100.0";
  const p = payload(stats);
  return `replay: ${stats.sent}/${stats.planned} (${pct}%) accepted ${p.accepted} rejected ${p.rejected} failed ${p.failed} · ${p.rate} positions/s\n`;
}

function lineProgress(stream: Writable, intervalMs: number): ProgressReporter {
  let latest: ReplayStats | null = null;
  let printedSent = -1;
  const timer = setInterval(() => {
    if (latest && latest.sent !== printedSent) {
      printedSent = latest.sent;
      stream.write(line(latest));
    }
  }, intervalMs);
  timer.unref();
  return {
    update: (stats) => {
      latest = stats;
    },
    stop: (stats) => {
      clearInterval(timer);
      if (stats.sent !== printedSent) stream.write(line(stats));
    },
  };
}

/** Entry point of `pnpm replay`; see main.ts. The first Ctrl-C stops sending and prints the summary, a second exits. */
import { main } from "./main";

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write("\nreplay: stopping after the requests in flight (Ctrl-C again to quit now)\n");
  controller.abort();
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});

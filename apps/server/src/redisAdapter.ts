/**
 * Several server processes behind one load balancer share Socket.IO rooms through Redis: with
 * `REDIS_URL` set, every namespace (the default one and `/live`) uses
 * `@socket.io/redis-streams-adapter`, so `io.to(room).emit(…)` in one process reaches the sockets
 * connected to the others. Broadcasts travel as entries of one Redis stream (`socket.io`, trimmed to
 * about 10,000 entries), which also lets a socket that reconnects to another process recover what
 * it missed (connection state recovery). See https://github.com/socketio/socket.io-redis-streams-adapter.
 */
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import type { ServerOptions } from "socket.io";

/** How long startup waits for Redis before giving up. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface RedisAdapter {
  /** Pass as the Socket.IO server's `adapter` option. */
  adapter: ServerOptions["adapter"];
  /** Closes the connection (after `io.close()`, which stops the adapter's own reading connections). */
  close(): Promise<void>;
}

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Connects to Redis (node-redis `redis` client) and builds the Socket.IO adapter on it. The adapter
 * opens two more connections of its own (a blocking stream reader and a pub/sub subscriber). Losing
 * Redis later is logged once and retried by the client; cross-process broadcasts pause meanwhile.
 * @param url `redis://[user:password@]host:port[/db]` or `rediss://…` (env.REDIS_URL)
 * @throws Error when Redis cannot be reached within 10 s at startup
 */
export async function connectRedisAdapter(url: string, log: Log): Promise<RedisAdapter> {
  const client = createClient({ url });
  let down = false;
  client.on("error", (err: unknown) => {
    if (down) return;
    down = true;
    log.warn({ err }, "redis: connection lost; Socket.IO broadcasts stay in this process until it is back");
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log.info({}, "redis: reconnected");
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`REDIS_URL: no Redis answered within ${CONNECT_TIMEOUT_MS / 1000} s`)),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    adapter: createAdapter(client),
    async close() {
      if (client.isOpen) await client.close();
    },
  };
}

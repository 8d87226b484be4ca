// Where Redis is, and a client to it that fails fast at start (a clear error naming the address)
// and then rides out restarts (it reconnects, commands fail quickly while it is away).
import type { ConnectionOptions } from "bullmq";
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import type { QueueModules } from "./modules.js";

/** Where the queue's Redis is: `redis://[user:password@]host:port[/db]` (`rediss://` for TLS), or its parts. */
export type QueueConnection =
  | string
  | { readonly host?: string; readonly port?: number; readonly username?: string; readonly password?: string; readonly db?: number; readonly tls?: boolean };

/** The connection as ioredis options, and a printable address (no password). */
export interface ConnectionParts {
  readonly options: RedisOptions;
  readonly address: string;
}

/** Parses a connection; throws an Error naming the expected form for anything else. */
export function connectionParts(connection: QueueConnection, who: string): ConnectionParts {
  if (typeof connection === "string") {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw new Error(`${who}: the queue address "${connection}" is not a URL; expected redis://HOST:PORT`);
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      throw new Error(`${who}: the queue address "${connection}" is not a Redis URL; expected redis://HOST:PORT (or rediss:// for TLS)`);
    }
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
    if (db !== undefined && !(Number.isInteger(db) && db >= 0)) {
      throw new Error(`${who}: the queue address "${connection}" names database "${url.pathname.slice(1)}"; expected a number, as in redis://HOST:PORT/0`);
    }
    return connectionParts(
      {
        host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
        port: url.port === "" ? 6379 : Number(url.port),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(db !== undefined ? { db } : {}),
        tls: url.protocol === "rediss:",
      },
      who,
    );
  }
  if (connection === null || typeof connection !== "object") {
    throw new Error(`${who}: connection must be "redis://HOST:PORT" or { host, port }, got ${String(connection)}`);
  }
  const { host = "127.0.0.1", port = 6379, username, password, db, tls } = connection;
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`${who}: the Redis port must be an integer in 1..65535, got ${String(port)}`);
  const options: RedisOptions = { host, port, ...(username ? { username } : {}), ...(password ? { password } : {}), ...(db !== undefined ? { db } : {}), ...(tls ? { tls: {} } : {}) };
  return { options, address: `${tls ? "rediss" : "redis"}://${host.includes(":") ? `[${host}]` : host}:${port}${db ? `/${db}` : ""}` };
}

/** Reconnection delay while Redis is away: quick at first, then every second. */
const reconnectDelay = (times: number): number => Math.min(100 * times, 1000);

/**
 * A connected client. Rejects with one Error naming the address when Redis cannot be reached
 * within `timeoutMs`; once connected it reconnects after a restart, and a command sent while
 * Redis is away fails at once instead of waiting (the caller decides how long to wait).
 */
export async function openRedis(modules: QueueModules, parts: ConnectionParts, who: string, timeoutMs = 5000): Promise<RedisClient> {
  let connected = false;
  const client = new modules.ioredis.Redis({
    ...parts.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => (connected ? reconnectDelay(times) : null),
  });
  // ioredis emits "error" while reconnecting; the callers see failed commands instead. The
  // first one (e.g. ECONNREFUSED) says more than the "Connection is closed" connect() rejects with.
  let firstError: unknown;
  client.on("error", (err) => (firstError ??= err));
  try {
    await client.connect();
    await client.ping();
    connected = true;
    return client;
  } catch (err) {
    // Already "end" after a refused connection; disconnecting then would hold the process 2 s.
    if (client.status !== "end") client.disconnect();
    throw unreachable(parts, who, firstError ?? err);
  }
}

/** The Error for a Redis that cannot be reached. */
export function unreachable(parts: ConnectionParts, who: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${who}: cannot reach Redis at ${parts.address} (${why}); is redis-server running there, and is the address right?`, { cause });
}

/**
 * Options for BullMQ's own clients: reconnect forever (BullMQ's workers need
 * `maxRetriesPerRequest: null`), so a Redis restart pauses them instead of killing them.
 */
export function bullConnection(parts: ConnectionParts): ConnectionOptions {
  return { ...parts.options, maxRetriesPerRequest: null, retryStrategy: reconnectDelay } as ConnectionOptions;
}

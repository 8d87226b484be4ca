// BullMQ and ioredis are optional peers: only a program that evaluates through a queue installs
// them. They are imported here, lazily, and nowhere else; the main entry never reaches this file.
import type * as BullMQ from "bullmq";
import type * as IORedis from "ioredis";

/** The two optional packages, loaded. */
export interface QueueModules {
  readonly bullmq: typeof BullMQ;
  readonly ioredis: typeof IORedis;
}

/** Imports a module by name (replaceable in tests, to simulate a missing package). */
export type Importer = (name: string) => Promise<unknown>;

const MISSING = ["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"];
let loaded: Promise<QueueModules> | undefined;

/**
 * bullmq and ioredis, imported once. When either is not installed, rejects with one Error naming
 * both packages and the command that installs them.
 */
export function loadQueueModules(importer?: Importer): Promise<QueueModules> {
  if (importer) return importBoth(importer);
  loaded ??= importBoth((name) => import(name));
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

async function importBoth(importer: Importer): Promise<QueueModules> {
  const one = async (name: string): Promise<any> => {
    try {
      return await importer(name);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!MISSING.includes(code ?? "") || !String((err as Error).message).includes(name)) throw err;
      throw new Error(
        `@fluxion/evolve/queue: the optional package "${name}" is not installed; evaluating on a job queue needs bullmq and ioredis: npm install bullmq ioredis`,
        { cause: err },
      );
    }
  };
  const [bullmq, ioredis] = await Promise.all([one("bullmq"), one("ioredis")]);
  return { bullmq, ioredis };
}

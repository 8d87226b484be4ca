// @fluxion/evolve/queue: fitness evaluation on a BullMQ job queue over Redis, so a population can
// be evaluated by workers on other machines. bullmq and ioredis are optional peers, loaded on
// first use; nothing here is reachable from the main entry.
export { QueueEvaluator, createQueueEvaluator, DEFAULT_QUEUE } from "./evaluator.js";
export type { QueueEvaluatorOptions } from "./evaluator.js";
export { startQueueWorker } from "./worker.js";
export type { QueueWorker, QueueWorkerOptions } from "./worker.js";
export type { QueueConnection } from "./connection.js";

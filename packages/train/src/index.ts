export { setup } from "./setup.js";
export { train, trainStep, DomainError } from "./train.js";
export type { Loss, TrainOptions, TrainResult } from "./train.js";
export { progressReporter } from "./progress.js";
export type { ProgressEvent, ProgressOptions, ProgressReporter } from "./progress.js";
export { DataLoader } from "./data-loader.js";
export type { DataLoaderOptions, Observations } from "./data-loader.js";

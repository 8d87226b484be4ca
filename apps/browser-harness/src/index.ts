export { viteBuild } from "./build.js";
export type { ViteBuildOptions, ViteBuildResult } from "./build.js";
export { serveStatic } from "./serve.js";
export type { StaticServer } from "./serve.js";
export { launchChromium, CHROMIUM_PATH } from "./chromium.js";
export type { Browser } from "./chromium.js";

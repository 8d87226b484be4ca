// `node --import ./register-ts.mjs`: run the workspace's TypeScript sources directly (worker
// threads and child processes of the tests), as jest does with @swc/jest.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);

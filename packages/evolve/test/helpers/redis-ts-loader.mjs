// Lets the queue tests' worker processes (and their evaluation threads) run the TypeScript source
// as jest does: `node --conditions=@fluxion/source --import <this file> entry.ts`. It registers
// module hooks that map "./x.js" to "./x.ts" when only the .ts exists and compile .ts with @swc/core.
import { register } from "node:module";

register("./redis-ts-hooks.mjs", import.meta.url);

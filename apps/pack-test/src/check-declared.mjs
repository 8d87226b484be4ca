// Registers declared-imports.mjs's hooks: `node --import <this file> example.mjs`.
import { register } from "node:module";

register("./declared-imports.mjs", import.meta.url);

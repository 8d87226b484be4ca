import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { fluxionViteConfig } from "@fluxion/browser-harness/vite";

export default defineConfig(fluxionViteConfig(path.join(path.dirname(fileURLToPath(import.meta.url)), "web")));

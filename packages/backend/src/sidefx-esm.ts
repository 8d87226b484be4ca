// Bundlers (Vite, webpack, esbuild) resolve tfjs-core's ESM side-effect files directly.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";

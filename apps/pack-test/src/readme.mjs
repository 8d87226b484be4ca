// A package README's install line and example, as the pack test reads them. The convention:
// - the first fenced block of the README is ```sh with one line, `npm install <packages…>`;
// - the example is the first ```ts block under the `## Example` heading. It is plain JavaScript
//   that is also strict TypeScript (no annotations), an ES module with named imports only, so it
//   runs as written as .mjs, and as .cjs after `toCommonJS`.
import { readFileSync } from "node:fs";

const fences = (text) => [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2], at: m.index }));
const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";?[ \t]*$/gm;

export function readExample(file) {
  const text = readFileSync(file, "utf8");
  const [first] = fences(text);
  const install = first && /^(?:sh|bash|shell)$/.test(first.lang) && /^npm install ([^\n]+)\n$/.exec(first.body);
  if (!install) throw new Error(`${file}: the first code block must be \`\`\`sh with one line "npm install …"`);
  const heading = /^## Example$/m.exec(text);
  if (!heading) throw new Error(`${file}: no "## Example" heading`);
  const nextHeading = text.slice(heading.index + 1).search(/^## /m);
  const end = nextHeading < 0 ? text.length : heading.index + 1 + nextHeading;
  const block = fences(text).find((f) => f.at > heading.index && f.at < end && f.lang === "ts");
  if (!block) throw new Error(`${file}: no \`\`\`ts block under "## Example"`);
  return { installs: install[1].trim().split(/\s+/), code: block.body, imports: importedPackages(block.body) };
}

const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

function importedPackages(code) {
  const others = code.split("\n").filter((l) => /^import\b/.test(l) && !/^import\s*\{/.test(l));
  if (others.length) throw new Error(`the example may use only named imports (import { … } from "…"): ${others[0]}`);
  return [...new Set([...code.matchAll(IMPORT)].map((m) => packageName(m[2])))];
}

/** The same example as CommonJS: `const { … } = require("…")`, the rest in an async IIFE. */
export function toCommonJS(code) {
  const requires = [...code.matchAll(IMPORT)].map((m) => `const {${m[1].replace(/\s+as\s+/g, ": ")}} = require("${m[2]}");`);
  const body = code.replace(IMPORT, "").trim();
  return `${requires.join("\n")}\n\n(async () => {\n${body}\n})().catch((e) => {\n  console.error(e);\n  process.exitCode = 1;\n});\n`;
}

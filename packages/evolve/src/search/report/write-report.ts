// Writes the report page next to a run's checkpoint, atomically: a reader (or a browser reloading
// it during the run) never sees half a page.
import { writeFileAtomic } from "@fluxion/backend/internal";
import { renderReport } from "./render-report.js";
import type { ReportData } from "./report-data.js";

/** The report's file name inside the checkpoint directory. */
export const REPORT_FILE = "report.html";

/** Renders `data` and writes it to `<dir>/report.html` atomically; resolves to the file's path. Node only. */
export async function writeReport(dir: string, data: ReportData): Promise<string> {
  if (typeof dir !== "string" || dir === "") throw new TypeError(`writeReport: the directory must be a non-empty string, got ${String(dir)}`);
  const path = `${dir.replace(/[\\/]+$/, "")}/${REPORT_FILE}`;
  await writeFileAtomic(path, new TextEncoder().encode(renderReport(data)), { fn: "writeReport", bytesHint: "use renderReport for the HTML text" });
  return path;
}

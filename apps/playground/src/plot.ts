// The live chart: training loss per step (left axis) and test accuracy at each evaluation (right
// axis, 0–100 %) as two SVG polylines over the steps of the run. Redrawn at most once a frame.
const SVG = "http://www.w3.org/2000/svg";
const W = 640;
const H = 260;
const PAD = { left: 52, right: 52, top: 16, bottom: 34 };
// More points than the plot has pixels only costs time: a long run is drawn as bucket means.
const MAX_POINTS = 600;

export class Plot {
  private losses: [number, number][] = [];
  private accuracies: [number, number][] = [];
  private total = 1;
  private lossMax = 0;
  private pending = false;
  private readonly lossLine: SVGPolylineElement;
  private readonly accLine: SVGPolylineElement;
  private readonly labels: Record<"lossMax" | "lossMid" | "stepMax", SVGTextElement>;

  constructor(private readonly svg: SVGSVGElement) {
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const x0 = PAD.left;
    const x1 = W - PAD.right;
    const y0 = H - PAD.bottom;
    const y1 = PAD.top;
    this.add("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, class: "plot-frame" });
    this.add("line", { x1: x0, y1: (y0 + y1) / 2, x2: x1, y2: (y0 + y1) / 2, class: "plot-grid" });
    this.lossLine = this.add("polyline", { class: "loss-line", points: "" });
    this.accLine = this.add("polyline", { class: "acc-line", points: "" });
    this.text(x0 - 6, y0 + 4, "0", "end", "loss-axis");
    this.labels = {
      lossMax: this.text(x0 - 6, y1 + 4, "", "end", "loss-axis"),
      lossMid: this.text(x0 - 6, (y0 + y1) / 2 + 4, "", "end", "loss-axis"),
      stepMax: this.text(x1, y0 + 16, "", "end"),
    };
    this.text(x1 + 6, y0 + 4, "0%", "start", "acc-axis");
    this.text(x1 + 6, (y0 + y1) / 2 + 4, "50%", "start", "acc-axis");
    this.text(x1 + 6, y1 + 4, "100%", "start", "acc-axis");
    this.text(x0, y0 + 16, "0", "start");
    this.text((x0 + x1) / 2, y0 + 28, "step", "middle");
    this.text(14, (y0 + y1) / 2, "training loss", "middle", "loss-axis", -90);
    this.text(W - 12, (y0 + y1) / 2, "test accuracy", "middle", "acc-axis", 90);
  }

  /** Clears both lines for a run of `total` steps. */
  reset(total: number): void {
    this.losses = [];
    this.accuracies = [];
    this.lossMax = 0;
    this.total = Math.max(1, total);
    this.render();
  }

  addLoss(step: number, loss: number): void {
    this.losses.push([step, loss]);
    if (Number.isFinite(loss)) this.lossMax = Math.max(this.lossMax, loss);
    this.schedule();
  }

  addAccuracy(step: number, accuracy: number): void {
    this.accuracies.push([step, accuracy]);
    this.schedule();
  }

  /** Draws now (e.g. when a run ends); otherwise drawing waits for the next frame. */
  render(): void {
    this.pending = false;
    const x0 = PAD.left;
    const x1 = W - PAD.right;
    const y0 = H - PAD.bottom;
    const y1 = PAD.top;
    const lossMax = niceCeiling(this.lossMax);
    const x = (step: number) => x0 + ((x1 - x0) * step) / this.total;
    const y = (v: number, max: number) => y0 - ((y0 - y1) * Math.min(v, max)) / max;
    const points = (data: [number, number][], max: number) => data.map(([s, v]) => `${x(s).toFixed(1)},${y(v, max).toFixed(1)}`).join(" ");
    this.lossLine.setAttribute("points", points(thin(this.losses, MAX_POINTS), lossMax));
    this.accLine.setAttribute("points", points(this.accuracies, 1));
    this.labels.lossMax.textContent = format(lossMax);
    this.labels.lossMid.textContent = format(lossMax / 2);
    this.labels.stepMax.textContent = String(this.total);
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => this.render());
  }

  private add<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    this.svg.append(el);
    return el;
  }

  private text(x: number, y: number, content: string, anchor: string, cls = "", rotate = 0): SVGTextElement {
    const el = this.add("text", { x, y, "text-anchor": anchor, class: `plot-label ${cls}`.trim() });
    if (rotate) el.setAttribute("transform", `rotate(${rotate} ${x} ${y})`);
    el.textContent = content;
    return el;
  }
}

/** At most about `max` points: consecutive buckets replaced by their last step and mean value. */
function thin(data: [number, number][], max: number): [number, number][] {
  if (data.length <= max) return data;
  const per = Math.ceil(data.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < data.length; i += per) {
    const bucket = data.slice(i, i + per);
    out.push([bucket[bucket.length - 1]![0], bucket.reduce((sum, [, v]) => sum + v, 0) / bucket.length]);
  }
  return out;
}

/** A round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above `v`; 1 for an empty plot. */
function niceCeiling(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * p >= v) ?? 10) * p;
}

const format = (v: number): string => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2));

// The box a digit is drawn in, with pointer events (mouse, pen and touch alike). White ink on
// black like MNIST; after each stroke the ink is handed on as gray values in [0, 1].
export type StrokeHandler = (gray: Float32Array, width: number, height: number) => void;

/** Line width in canvas pixels: at 280 px and MNIST's 20 px box this gives strokes of ~2 px, like the training digits. */
const INK_WIDTH = 20;

export class DrawBox {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private pointer: number | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onStroke: StrokeHandler,
  ) {
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("draw box: this browser gave no 2d canvas context");
    this.ctx = ctx;
    this.clear();
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.last = null;
    this.pointer = null;
  }

  /** The ink so far: the red channel of every pixel, 0..1. */
  gray(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4]! / 255;
    return out;
  }

  private at(e: PointerEvent): { x: number; y: number } {
    // The canvas may be shown at another size than its pixel grid (narrow screens).
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - rect.left) * this.canvas.width) / rect.width,
      y: ((e.clientY - rect.top) * this.canvas.height) / rect.height,
    };
  }

  private down(e: PointerEvent): void {
    if (this.pointer !== null) return;
    e.preventDefault();
    this.pointer = e.pointerId;
    this.canvas.setPointerCapture(e.pointerId);
    this.last = this.at(e);
    this.line(this.last, this.last);
  }

  private move(e: PointerEvent): void {
    if (e.pointerId !== this.pointer || !this.last) return;
    e.preventDefault();
    const p = this.at(e);
    this.line(this.last, p);
    this.last = p;
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointer) return;
    this.pointer = null;
    this.last = null;
    this.onStroke(this.gray(), this.canvas.width, this.canvas.height);
  }

  private line(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const { ctx } = this;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = INK_WIDTH;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
}

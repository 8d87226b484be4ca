// Paints a 28×28 digit (white ink on black, as MNIST stores it) into a 28×28 canvas; CSS scales it up.
import { PIXELS, SIDE } from "./digits-format.js";

/** `values` are 0..255 bytes, or floats in [0, 1] when `unit` is set. */
export function paintDigit(canvas: HTMLCanvasElement, values: ArrayLike<number>, unit = false): void {
  if (values.length !== PIXELS) throw new Error(`paintDigit: expected ${PIXELS} values, got ${values.length}`);
  canvas.width = SIDE;
  canvas.height = SIDE;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("paintDigit: this browser gave no 2d canvas context");
  const image = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const v = unit ? Math.round(Math.min(1, Math.max(0, values[i]!)) * 255) : values[i]!;
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

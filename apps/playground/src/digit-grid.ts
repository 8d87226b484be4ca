// The grid of held-out test digits, each with the model's label, marked right or wrong.
import { PIXELS } from "./digits-format.js";
import type { Digits } from "./digits-data.js";
import { paintDigit } from "./paint-digit.js";

export class DigitGrid {
  private truth: number[] = [];
  private readonly cells: { cell: HTMLElement; label: HTMLElement }[] = [];

  constructor(
    container: HTMLElement,
    readonly size: number,
  ) {
    container.replaceChildren();
    for (let i = 0; i < size; i++) {
      const cell = document.createElement("figure");
      cell.className = "digit";
      const canvas = document.createElement("canvas");
      const label = document.createElement("figcaption");
      label.textContent = "…";
      cell.append(canvas, label);
      container.append(cell);
      this.cells.push({ cell, label });
    }
  }

  /** Shows the first `size` digits of `digits`, not yet labelled. */
  show(digits: Digits): void {
    this.truth = digits.labels.slice(0, this.size);
    this.cells.forEach(({ cell, label }, i) => {
      paintDigit(cell.querySelector("canvas")!, digits.pixels.subarray(i * PIXELS, (i + 1) * PIXELS));
      cell.className = "digit";
      cell.dataset.truth = String(this.truth[i]);
      delete cell.dataset.predicted;
      label.textContent = "?";
      cell.title = `a held-out ${this.truth[i]}, not yet labelled`;
    });
  }

  /** Labels the digits with `predicted` (one per digit, in order; extra entries are ignored). */
  label(predicted: readonly number[]): void {
    this.cells.forEach(({ cell, label }, i) => {
      const p = predicted[i]!;
      const right = p === this.truth[i];
      cell.className = `digit ${right ? "right" : "wrong"}`;
      cell.dataset.predicted = String(p);
      label.textContent = `${p} ${right ? "✓" : "✗"}`;
      cell.title = right ? `predicted ${p}, correct` : `predicted ${p}, but it is a ${this.truth[i]}`;
    });
  }
}

// What the model makes of the drawn digit: the digit it picks and a bar per class, or a message.
import { CLASSES } from "./inference.js";

export class PredictionView {
  constructor(private readonly root: HTMLElement) {
    this.message("Draw a digit in the box.");
  }

  message(text: string): void {
    delete this.root.dataset.digit;
    const p = document.createElement("p");
    p.className = "prediction-message";
    p.textContent = text;
    this.root.replaceChildren(p);
  }

  show(probabilities: readonly number[]): void {
    const best = probabilities.indexOf(Math.max(...probabilities));
    this.root.dataset.digit = String(CLASSES[best]);
    const digit = document.createElement("div");
    digit.className = "predicted-digit";
    digit.textContent = String(CLASSES[best]);
    const bars = document.createElement("ol");
    bars.className = "probabilities";
    probabilities.forEach((p, k) => {
      const row = document.createElement("li");
      if (k === best) row.className = "best";
      const name = document.createElement("span");
      name.textContent = String(CLASSES[k]);
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = `${(100 * p).toFixed(1)}%`;
      row.append(name, bar, value);
      bars.append(row);
    });
    this.root.replaceChildren(digit, bars);
  }
}

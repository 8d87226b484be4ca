// The #error box: every failure the page meets is said here in words (and logged for developers).
export class ErrorView {
  constructor(private readonly root: HTMLElement) {
    this.clear();
  }

  show(context: string, err: unknown): void {
    const message = describe(err);
    console.error(`${context}: ${message}`, err);
    const p = document.createElement("p");
    p.textContent = `${context}: ${message}`;
    this.root.append(p);
    this.root.hidden = false;
  }

  clear(): void {
    this.root.replaceChildren();
    this.root.hidden = true;
  }
}

/** The words of an error, whatever was thrown. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** Julia's DomainError: a value outside what the operation accepts (a non-finite loss or gradient). */
export class DomainError extends Error {
  constructor(
    readonly value: number,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

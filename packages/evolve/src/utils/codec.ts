// How PersistentArray turns an element into a file's bytes and back.

/** Bytes for one element and the element again. `decode` throws an Error for bytes it cannot read. */
export interface Codec<T> {
  /** The bytes for `x`. */
  encode(x: T): Uint8Array;
  /** The element `bytes` hold. */
  decode(bytes: Uint8Array): T;
}

/** JSON in UTF-8: numbers, strings, booleans, null, arrays and plain objects. */
export const jsonCodec: Codec<any> = {
  encode(x: unknown): Uint8Array {
    const text = JSON.stringify(x);
    if (text === undefined) throw new Error(`jsonCodec: ${typeof x} cannot be stored as JSON`);
    return new TextEncoder().encode(text);
  },
  decode(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new Error("jsonCodec: corrupt: the file is not valid UTF-8");
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`jsonCodec: corrupt: the file is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  },
};

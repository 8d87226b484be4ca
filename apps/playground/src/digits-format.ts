// The binary layout of the MNIST asset, shared by the Vite plugin that writes it and the page
// that reads it: a 16-byte header (magic "MNST", then version, count and pixels per image as
// little-endian uint32), `count` label bytes, then `count × 784` pixel bytes (0..255).

export const MNIST_ASSET = "mnist-digits.bin";
export const MNIST_MAGIC = "MNST";
export const MNIST_VERSION = 1;
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const HEADER_BYTES = 16;

/** Every digit of the asset: labels 0..9 and uint8 pixels, one image after another. */
export interface DigitBytes {
  count: number;
  labels: Uint8Array;
  pixels: Uint8Array;
}

/** Checks the header and returns views into `bytes`; throws saying what was wrong. */
export function parseDigits(bytes: Uint8Array): DigitBytes {
  const what = `${MNIST_ASSET} (${bytes.length} bytes)`;
  if (bytes.length < HEADER_BYTES) throw new Error(`${what} is too short for its ${HEADER_BYTES}-byte header`);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MNIST_MAGIC) throw new Error(`${what} does not start with "${MNIST_MAGIC}" (got ${JSON.stringify(magic)}): not an MNIST asset`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== MNIST_VERSION) throw new Error(`${what} has format version ${version}; this page reads version ${MNIST_VERSION}`);
  const count = view.getUint32(8, true);
  const perImage = view.getUint32(12, true);
  if (perImage !== PIXELS) throw new Error(`${what} holds ${perImage} pixels per image; expected ${PIXELS} (28×28)`);
  const expected = HEADER_BYTES + count * (1 + PIXELS);
  if (bytes.length !== expected) throw new Error(`${what} should be ${expected} bytes for ${count} digits: truncated or corrupt`);
  const labels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${what}: label ${labels[bad]} of digit ${bad} is not 0..9`);
  return { count, labels, pixels: bytes.subarray(HEADER_BYTES + count) };
}

/** Writes the asset from images already in class order (see vite/mnist-asset.ts). */
export function encodeDigits(labels: ArrayLike<number>, pixels: Uint8Array): Uint8Array {
  const count = labels.length;
  if (pixels.length !== count * PIXELS) throw new Error(`encodeDigits: ${count} labels need ${count * PIXELS} pixels, got ${pixels.length}`);
  const bytes = new Uint8Array(HEADER_BYTES + count * (1 + PIXELS));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MNIST_MAGIC.charCodeAt(i);
  view.setUint32(4, MNIST_VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, PIXELS, true);
  bytes.set(Array.from(labels), HEADER_BYTES);
  bytes.set(pixels, HEADER_BYTES + count);
  return bytes;
}

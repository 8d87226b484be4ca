// Test inputs shared by the backend's kernel and gradient tests.

/** Float32-rounded numbers in [-1, 1) from a small LCG, so float64 reference loops see the tensors' values. */
export function seeded(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 2 - 1);
  });
}

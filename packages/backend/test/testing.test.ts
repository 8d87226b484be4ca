import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { refusal } from "@fluxion/backend/testing";

describe("refusal", () => {
  test("returns fluxion's own error when the call throws one and leaves nothing", () => {
    const err = refusal(() => tf.tidy(() => {
      tf.zeros([3]);
      throw new Error("update: the gradient at weight is disposed");
    }));
    expect(err.message).toBe("update: the gradient at weight is disposed");
  });
  test("fails on a call that returns, on a TypeError from inside, and on a leak", () => {
    expect(() => refusal(() => 1)).toThrow("refusal: the call returned normally; it should have thrown");
    expect(() => refusal(() => (null as unknown as { backend: unknown }).backend)).toThrow("refusal: expected fluxion's own Error, got a TypeError");
    let kept: tf.Tensor | null = null;
    expect(() =>
      refusal(() => {
        kept = tf.zeros([2]);
        throw new Error("bad input");
      }),
    ).toThrow("refusal: the failed call left 1 tensor(s) behind (bad input)");
    tf.dispose(kept!);
  });
});

import { describe, expect, it } from "@jest/globals";
import { seconds } from "../src/progress-view.js";

describe("seconds", () => {
  it("reads tenths under 10 s, whole seconds under a minute, then minutes and seconds", () => {
    expect(seconds(5.2)).toBe("5.2 s");
    expect(seconds(42.4)).toBe("42 s");
    expect(seconds(61.7)).toBe("1 min 2 s");
    expect(seconds(125)).toBe("2 min 5 s");
  });

  it("never shows 60 seconds", () => {
    expect(seconds(59.7)).toBe("1 min 0 s");
    expect(seconds(119.7)).toBe("2 min 0 s");
  });
});

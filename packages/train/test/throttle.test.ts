// throttle against Flux 0.16.11's test/utils.jl ("Throttle") and its docstring, on fake timers
// (`sleep(1.01)` is advancing the clock by 1010 ms).
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { throttle } from "../src/index.js";

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});
const sleep = (seconds: number) => jest.advanceTimersByTime(seconds * 1000);

describe("throttle (Flux's tests)", () => {
  // Each script is Flux's testset: `f` is a call, `sleep` is sleep(1.01), a number is `@test length(a) == n`.
  test.each([
    ["default behaviour: three calls, one run", { leading: true, trailing: false }, "f f f sleep 1"],
    ["leading behaviour: runs at once, then again after the timeout", { leading: true, trailing: false }, "f 1 f 1 sleep f 2"],
    ["trailing behaviour: nothing at once, one run at the end of the period", { leading: false, trailing: true }, "f 0 f 0 sleep 1"],
  ] as const)("%s", (_name, options, script) => {
    const a: number[] = [];
    const f = throttle(() => a.push(Date.now()), 1, options);
    for (const step of script.split(" ")) {
      if (step === "f") f();
      else if (step === "sleep") sleep(1.01);
      else expect(a.length).toBe(Number(step));
    }
  });

  test("arguments: the leading call's, then the last dropped call's", () => {
    const a: number[] = [];
    const f = throttle((x: number) => a.push(x), 1, { leading: true, trailing: true });
    f(1);
    expect(a).toEqual([1]);
    f(2);
    expect(a).toEqual([1]);
    f(3);
    expect(a).toEqual([1]);
    sleep(1.01);
    expect(a).toEqual([1, 3]);
  });
});

describe("throttle", () => {
  test("Flux's docstring: timeout 2, called every second four times, prints twice", () => {
    const printed: string[] = [];
    const a = throttle(() => printed.push("Flux"), 2);
    for (let i = 1; i <= 4; i++) {
      a();
      sleep(1);
    }
    expect(printed).toEqual(["Flux", "Flux"]);
  });

  test("returns the last result of f; a trailing call's result is returned by the next call", () => {
    let n = 0;
    const f = throttle(() => (n += 1), 1, { trailing: true });
    expect(f()).toBe(1);
    expect(f()).toBe(1); // kept for the end of the period
    sleep(1.01);
    expect(n).toBe(2);
    expect(f()).toBe(2); // the trailing call began a new period, so this one is kept too
    sleep(1.01);
    expect(n).toBe(3);
  });

  test("a leading call that throws starts no cooldown: the next call runs", () => {
    let fail = true;
    let runs = 0;
    const f = throttle(() => {
      runs += 1;
      if (fail) throw new Error("boom");
    }, 1);
    expect(() => f()).toThrow("boom");
    fail = false;
    f();
    expect(runs).toBe(2);
  });

  test("bad arguments are named", () => {
    expect(() => throttle(1 as never, 1)).toThrow("throttle: the first argument must be a function, got number");
    expect(() => throttle(() => 0, -1)).toThrow("throttle: timeout must be a finite non-negative number of seconds, got -1");
    expect(() => throttle(() => 0, Infinity)).toThrow("got Infinity");
  });
});

// The examples CLI run as a user runs it: the built dist/cli.js in a child process, stdout a pipe
// (not a terminal, so training reports plain progress lines), checked for output and exit status.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCli, expectUsageError, runCli, type Run } from "./cli-runner.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-examples-"));
const run = (...args: string[]): Run => runCli(args);

beforeAll(buildCli, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("help", () => {
  test("--help, -h and help print the tool's usage and commands on stdout", () => {
    const runs = [run("--help"), run("-h"), run("help")];
    for (const r of runs) {
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(runs[0]!.stdout);
    }
    const text = runs[0]!.stdout;
    expect(text).toMatch(/^usage: cli\.js \[command\] \[options\]/);
    for (const command of ["mnist", "tour", "functors", "optimisers", "evolve", "help"]) expect(text).toContain(`\n  ${command} `);
    expect(text).toContain("exit status: 0 on success, 1 on a failure, 2 on a usage error");
  });

  test("mnist --help lists its options and trains nothing", () => {
    const r = run("mnist", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: cli\.js mnist \[options\]/);
    for (const option of ["--model mlp|cnn", "--epochs N", "--batchsize N", "--lr X", "--seed N", "--save FILE", "--load FILE", "--progress-every S", "--backend cpu|wasm", "-h, --help"]) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).not.toMatch(/^(MLP on|test accuracy:)/m);
    expect(run("help", "mnist").stdout).toBe(r.stdout);
  });

  test("every tour has its own help", () => {
    for (const command of ["tour", "functors", "optimisers"]) {
      const r = run(command, "-h");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: cli\\.js ${command} \\[options\\]`));
      expect(r.stdout).not.toContain("--epochs");
    }
  });
});

describe("usage errors exit with 2 and name the flag", () => {
  test("unknown options and commands", () => {
    expectUsageError(run("--epoch", "1"), "unknown option --epoch (did you mean --epochs?)", "usage: cli.js mnist [options]");
    expectUsageError(run("mnist", "--foo"), "unknown option --foo", "usage: cli.js mnist [options]");
    expectUsageError(run("tour", "--epochs", "3"), "unknown option --epochs", "usage: cli.js tour [options]");
    expectUsageError(run("train"), "unknown command 'train'; expected one of: mnist, tour, functors, optimisers, evolve, evolve-worker, help", "usage: cli.js [command]");
    expectUsageError(run("mnist", "extra"), "unexpected argument 'extra'", "usage: cli.js mnist");
    expectUsageError(run("--help=yes"), "--help takes no value, got 'yes'", "usage: cli.js mnist");
  });

  test("missing values, and values of the wrong kind, read with --flag value and --flag=value", () => {
    expectUsageError(run("mnist", "--epochs"), "--epochs needs a value: a whole number ≥ 0", "usage: cli.js mnist");
    expectUsageError(run("--epochs", "--lr", "0.1"), "--epochs needs a value: a whole number ≥ 0, got the option '--lr'", "usage: cli.js mnist");
    expectUsageError(run("--epochs=1.5"), "--epochs expects a whole number ≥ 0, got '1.5'", "usage: cli.js mnist");
    expectUsageError(run("--batchsize", "0"), "--batchsize expects a whole number ≥ 1, got '0'", "usage: cli.js mnist");
    expectUsageError(run("--lr=-1"), "--lr expects a number > 0, got '-1'", "usage: cli.js mnist");
    expectUsageError(run("--model", "rnn"), "--model expects mlp or cnn, got 'rnn'", "usage: cli.js mnist");
  });

  test("--backend webgl says it is browser-only", () => {
    const r = run("mnist", "--backend", "webgl");
    expectUsageError(r, "--backend webgl runs only in a browser", "usage: cli.js mnist");
    expect(r.stderr).toContain("in Node use cpu or wasm");
    expect(r.stderr).not.toContain("registry");
    expectUsageError(run("tour", "--backend=gpu"), "--backend expects cpu or wasm, got 'gpu'", "usage: cli.js tour");
  });
});

describe("files", () => {
  test("an unwritable --save is refused before any training, with status 1", () => {
    const missing = path.join(scratch, "no-such-dir", "model.safetensors");
    let r = run("mnist", "--backend", "cpu", "--save", missing);
    expect(r.stderr).toContain(`error: --save ${missing}: the directory ${path.dirname(missing)} does not exist`);
    expect([r.stdout, r.status]).toEqual(["", 1]);

    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    r = run("mnist", "--backend", "cpu", `--save=${path.join(file, "model.safetensors")}`);
    expect(r.stderr).toContain(`${file} is not a directory`);
    expect([r.stdout, r.status]).toEqual(["", 1]);

    r = run("mnist", "--backend", "cpu", "--load", path.join(scratch, "absent.safetensors"));
    expect(r.stderr).toContain("absent.safetensors: no such file");
    expect([r.stdout, r.status]).toEqual(["", 1]);
  });
});

describe("a real run", () => {
  const saved = path.join(scratch, "mlp.safetensors");
  let trained: Run;

  beforeAll(() => {
    trained = run("mnist", "--backend", "wasm", "--epochs=1", "--batchsize", "256", "--progress-every", "0.2", "--save", saved);
  }, 60_000);

  test("trains one epoch with plain progress lines (stdout is a pipe), saves, and reports test accuracy", () => {
    expect(trained.stderr).toBe("");
    expect(trained.status).toBe(0);
    const lines = trained.stdout.trimEnd().split("\n");
    const progress = lines.filter((l) => l.startsWith("epoch 1/1: step "));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const line of progress) expect(line).toMatch(/^epoch 1\/1: step \d+\/32, loss \d+\.\d{4}, \d+\.\d steps\/s, about \d+ s left$/);
    expect(lines).toContain(`saved the model to ${saved}`);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^test accuracy: 0\.\d{4}$/);
    expect(Number(last.split(": ")[1])).toBeGreaterThan(0.75);
  });

  test("--load alone evaluates the saved model without training, to the same accuracy", () => {
    const r = run("mnist", "--backend", "wasm", "--load", saved);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`loaded ${saved}`);
    expect(r.stdout).not.toMatch(/^epoch/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(trained.stdout.trimEnd().split("\n").at(-1));
  });

  test("the CNN's summary names its reshape (no #anonymous), and --epochs 0 only evaluates", () => {
    const r = run("mnist", "--backend", "cpu", "--model", "cnn", "--epochs", "0");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Chain(\n  toImage,\n  Conv((3, 3), 1 => 8, relu),");
    expect(r.stdout).not.toContain("#anonymous");
    expect(r.stdout).not.toMatch(/^epoch/m);
    expect(r.stdout).toMatch(/\ntest accuracy: 0\.\d{4}\n$/);
  });
});

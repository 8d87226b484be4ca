import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PersistentArray, persist, type Codec } from "@fluxion/evolve";

// NaiveGAflux's test/util.jl "PersistentArray", with 0-based indices and file names.
let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "fluxion-pa-"));
  dir = join(root, "testPersistentArray");
});
afterEach(() => rm(root, { recursive: true, force: true }));

const identity = (i: number): number => i;

describe("PersistentArray", () => {
  test("created from a generator in an empty directory, it behaves as an array", async () => {
    const pa = await PersistentArray.create(dir, 5, identity);
    expect(pa).toEqual([0, 1, 2, 3, 4]);
    expect(pa.length).toBe(5);
    expect([...pa]).toEqual([0, 1, 2, 3, 4]);
    expect(pa.map(identity)).toEqual(pa);
    expect(pa.map(identity)).not.toBeInstanceOf(PersistentArray);
    expect(pa.reduce<number[]>((acc, x) => [...acc, x], [])).toEqual(pa);
    pa[0] = 3;
    expect(pa).toEqual([3, 1, 2, 3, 4]);
    expect(await readdir(root)).toEqual([]); // nothing written before persist
  });

  test("persist, then a longer array loads the saved elements and generates the rest", async () => {
    const pa = await PersistentArray.create(dir, 5, identity);
    pa[0] = 3;
    await persist(pa);
    expect((await readdir(dir)).sort()).toEqual(["0.json", "1.json", "2.json", "3.json", "4.json"]);
    expect(await PersistentArray.create(dir, 7, (i) => 2 * i)).toEqual([3, 1, 2, 3, 4, 10, 12]);
  });

  test("rm(i) removes one file; rm() removes all and the directory", async () => {
    const pa = await PersistentArray.create(dir, 5, identity);
    pa[0] = 3;
    await pa.persist();
    await pa.rm(1);
    expect(await PersistentArray.create(dir, 3, () => 17)).toEqual([3, 17, 2]);
    await expect(pa.rm(1)).rejects.toThrow(`PersistentArray.rm: cannot delete '${join(dir, "1.json")}': there is no such file`);
    await pa.rm(1, { force: true });
    await pa.rm();
    expect(await readdir(root)).toEqual([]);
    expect(await PersistentArray.create(dir, 3, () => 11)).toEqual([11, 11, 11]);
  });

  test("not backed by the files: changes reach them only through persist", async () => {
    const pa = await PersistentArray.create(dir, 2, identity);
    await pa.persist();
    pa[1] = 99;
    expect(await PersistentArray.create(dir, 2)).toEqual([0, 1]);
    await writeFile(join(dir, "0.json"), "42");
    expect(pa[0]).toBe(0);
    await pa.persist();
    expect(await PersistentArray.create(dir, 2)).toEqual([0, 99]);
  });

  test("persisting a shorter array deletes the files past its end", async () => {
    await (await PersistentArray.create(dir, 4, identity)).persist();
    const short = PersistentArray.wrap(dir, ["a", "b"]);
    await short.persist();
    expect((await readdir(dir)).sort()).toEqual(["0.json", "1.json"]);
    expect(await PersistentArray.create(dir, 2)).toEqual(["a", "b"]);
  });

  test("a missing file without a generator, and a corrupt file, are errors naming the file", async () => {
    await PersistentArray.wrap(dir, [{ a: 1 }]).persist();
    await expect(PersistentArray.create(dir, 2)).rejects.toThrow(`PersistentArray.create: no file at '${join(dir, "1.json")}' for element 1, and no generator to make it`);
    await writeFile(join(dir, "0.json"), '{"a": 1');
    await expect(PersistentArray.create(dir, 1)).rejects.toThrow(`PersistentArray.create: '${join(dir, "0.json")}': corrupt: the file is not valid JSON`);
    await writeFile(join(dir, "0.json"), new Uint8Array([0xff, 0xfe]));
    await expect(PersistentArray.create(dir, 1, identity)).rejects.toThrow("corrupt: the file is not valid UTF-8");
  });

  test("a write killed before its rename leaves a temporary file that neither loading nor rm() minds", async () => {
    const pa = PersistentArray.wrap(dir, [1, 2]);
    await pa.persist();
    // What backend's writeFileAtomic leaves when the process dies before renaming.
    await writeFile(join(dir, "0.json.tmp-4242-abcdefgh"), "[half");
    expect(await PersistentArray.create(dir, 2)).toEqual([1, 2]);
    await pa.persist();
    expect(await PersistentArray.create(dir, 2)).toEqual([1, 2]);
    await pa.rm();
    expect(await readdir(root)).toEqual([]);
  });

  test("rm() keeps the directory when other files are in it", async () => {
    const pa = PersistentArray.wrap(dir, [1]);
    await pa.persist();
    await writeFile(join(dir, "generation.txt"), "3");
    await pa.rm();
    expect(await readdir(dir)).toEqual(["generation.txt"]);
  });

  test("a pluggable codec and suffix", async () => {
    const text: Codec<string> = { encode: (s) => new TextEncoder().encode(s.toUpperCase()), decode: (b) => new TextDecoder().decode(b) };
    const pa = PersistentArray.wrap(dir, ["x", "y"], { suffix: ".txt", codec: text });
    expect(pa.saveDir).toBe(dir);
    expect(pa.suffix).toBe(".txt");
    expect(pa.filename(1)).toBe(join(dir, "1.txt"));
    await pa.persist();
    expect(await PersistentArray.create(dir, 3, () => "new", { suffix: ".txt", codec: text })).toEqual(["X", "Y", "new"]);
  });

  test("bad arguments and elements JSON cannot hold are refused before anything is written", async () => {
    await expect(PersistentArray.create(dir, -1, identity)).rejects.toThrow("PersistentArray.create: n must be a whole number >= 0, got -1");
    expect(() => PersistentArray.wrap("", [1])).toThrow("PersistentArray: saveDir must be a non-empty string");
    expect(() => PersistentArray.wrap(dir, [1], { suffix: "a/b" })).toThrow("suffix must be a string without '/'");
    await expect(PersistentArray.wrap(dir, [1, undefined]).persist()).rejects.toThrow("persist: element 1 cannot be encoded: jsonCodec: undefined cannot be stored as JSON");
    expect(await readdir(root)).toEqual([]);
  });
});

// Auto MPG (the `cars` data of the npm package `vega-datasets`): predict miles per gallon from
// cylinders, displacement, horsepower, weight, acceleration, model year and the origin one-hot.
// Rows with a missing value are dropped (392 of 406 remain); a seeded 60/20/20 split; features and
// target standardised with training statistics only, the target's kept to report errors in mpg.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Rng } from "fluxion";
import { pickRows, splitIndices, standardise, type Dataset } from "./dataset.js";

const require = createRequire(import.meta.url);

interface Car {
  Miles_per_Gallon: number | null;
  Cylinders: number | null;
  Displacement: number | null;
  Horsepower: number | null;
  Weight_in_lbs: number | null;
  Acceleration: number | null;
  Year: string | null;
  Origin: string | null;
}

const ORIGINS = ["USA", "Europe", "Japan"] as const;
const NUMERIC = ["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration"] as const;
/** The feature names, in column order. */
export const MPG_FEATURES = [...NUMERIC, "Year", ...ORIGINS.map((o) => `Origin=${o}`)];

/** A regression dataset whose targets were standardised: `mpg = y · sd + mean`. */
export interface ScaledDataset extends Dataset {
  readonly target: { readonly mean: number; readonly sd: number };
}

/** The complete rows of vega-datasets' cars.json (its `exports` hides data/, so it is found next to the build). */
export function loadCars(): { x: number[]; mpg: number[] } {
  const file = join(dirname(require.resolve("vega-datasets")), "..", "data", "cars.json");
  const cars = JSON.parse(readFileSync(file, "utf8")) as Car[];
  const x: number[] = [];
  const mpg: number[] = [];
  for (const car of cars) {
    if (Object.values(car).some((v) => v === null) || !ORIGINS.includes(car.Origin as (typeof ORIGINS)[number])) continue;
    x.push(...NUMERIC.map((k) => car[k]!), new Date(car.Year!).getUTCFullYear(), ...ORIGINS.map((o) => (o === car.Origin ? 1 : 0)));
    mpg.push(car.Miles_per_Gallon!);
  }
  return { x, mpg };
}

/** Auto MPG: 235 train, 78 validation, 79 test cars; targets standardised (see `target`). */
export function mpgData(seed: number): ScaledDataset {
  const features = MPG_FEATURES.length;
  const { x, mpg } = loadCars();
  const parts = splitIndices(mpg, [0.6, 0.2, 0.2], new Rng(seed), false).map((idx) => pickRows(x, mpg, features, idx));
  const [tr, va, te] = standardise(features, parts[0]!, parts[1]!, parts[2]!);
  const mean = tr!.y.reduce((s, v) => s + v, 0) / tr!.y.length;
  const sd = Math.sqrt(tr!.y.reduce((s, v) => s + (v - mean) ** 2, 0) / tr!.y.length);
  const scale = (s: typeof tr) => ({ x: s!.x, y: s!.y.map((v) => (v - mean) / sd) });
  return {
    name: "mpg",
    task: "regression",
    features,
    inputShape: [features],
    outputs: 1,
    train: scale(tr),
    validation: scale(va),
    test: scale(te),
    target: { mean, sd },
    about: `Auto MPG (vega-datasets cars): ${tr!.y.length} train, ${va!.y.length} validation, ${te!.y.length} test cars (seed ${seed})`,
  };
}

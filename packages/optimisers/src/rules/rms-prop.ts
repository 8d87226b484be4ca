import { tf } from "@fluxion/backend";
import { isPlainObject } from "@fluxion/functors";
import { defineRule } from "../rule.js";
import { positive, unitInterval } from "../domains.js";
import { ema } from "./moments.js";
import type { Hyper } from "../schedule.js";

/** RMSProp's state: the mean square `quad`, and the mean `lin` (centred) or `false` (not centred). */
export type RMSPropState = [quad: tf.Tensor, lin: tf.Tensor | false];

/** RMSProp's named fields; `centered` is accepted as another spelling of `centred`. */
export interface RMSPropOptions {
  eta?: Hyper;
  rho?: Hyper;
  epsilon?: Hyper;
  centred?: boolean;
  centered?: boolean;
}

const Base = defineRule("RMSProp", { eta: 0.001, rho: 0.9, epsilon: 1e-8, centred: false }, { domains: { rho: unitInterval, epsilon: positive } });

/**
 * RMSProp (Hinton): `quad ← ρ quad + (1−ρ) dx²`; if centred also `lin ← ρ lin + (1−ρ) dx`;
 * `dx' = (dx η) / (sqrt(quad − lin²) + ϵ)` (ϵ outside the square root; `lin² ≡ 0` when not
 * centred). Defaults `eta = 0.001, rho = 0.9, epsilon = 1e-8, centred = false`; the named form
 * also takes `centered` (either spelling true makes it centred). `centred` cannot be adjusted,
 * as the two variants store different states.
 */
export class RMSProp extends Base {
  constructor(...args: [RMSPropOptions] | (Hyper | boolean | undefined)[]) {
    super(...(withCentred(args) as ConstructorParameters<typeof Base>));
  }
  init(x: tf.Tensor): RMSPropState {
    return [tf.zerosLike(x), this.values().centred ? tf.zerosLike(x) : false];
  }
  apply([quad, lin]: RMSPropState, _x: tf.Tensor, dx: tf.Tensor): [RMSPropState, tf.Tensor] {
    const { eta, rho, epsilon, centred } = this.values();
    return tf.tidy(() => {
      const quad2 = ema(quad, tf.square(dx), rho);
      let lin2: tf.Tensor | false = lin;
      let denom = tf.sqrt(quad2);
      if (centred) {
        if (lin === false) throw new Error("RMSProp: centred rule given a non-centred state (lin = false); make the state with this rule's init");
        lin2 = ema(lin, dx, rho);
        denom = tf.sqrt(tf.sub(quad2, tf.square(lin2)));
      }
      const step = tf.div(tf.mul(dx, eta), tf.add(denom, epsilon));
      return [[quad2, lin2], step];
    }) as unknown as [RMSPropState, tf.Tensor];
  }
  override adjusted(changes: Readonly<Record<string, unknown>>): this {
    if ("centred" in changes || "centered" in changes) {
      throw new Error("adjust(::RMSProp; centred) is not allowed, as the variants store different states");
    }
    return super.adjusted(changes);
  }
}

/** The constructor arguments with a named `centered` folded into `centred` (Julia's `centred | centered`). */
function withCentred(args: unknown[]): unknown[] {
  if (args.length !== 1 || !isPlainObject(args[0]) || !("centered" in args[0])) return args;
  const { centered, ...rest } = args[0] as Record<string, unknown>;
  if (centered === undefined) return [rest];
  if (typeof centered !== "boolean") throw new Error(`RMSProp: field centered must be true or false, got ${String(centered)}`);
  const c = rest.centred;
  return [{ ...rest, centred: c === undefined ? centered : typeof c === "boolean" ? c || centered : c }];
}

import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** Plain gradient descent: `dx' = eta * dx`. Default `eta = 0.1`. */
export class Descent extends defineRule("Descent", { eta: 0.1 }) {
  init(): null {
    return null;
  }
  apply(state: null, _x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    return [state, tf.mul(dx, this.values().eta)];
  }
}

// The single tfjs-core namespace fluxion uses, with gradients and chained ops registered.
// tfjs-core must load before the registrations: its engine and Tensor class become the global ones.
import * as tf from "@tensorflow/tfjs-core";
// @internal keeps this private import out of dist/tf.d.ts (stripInternal): it has no types to give,
// and type-checkers without "imports" support (moduleResolution node10) cannot resolve it.
/** @internal */
import "#sidefx";
import "./second-order-gradients.js";

export { tf };

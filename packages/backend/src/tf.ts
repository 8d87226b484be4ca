// The single tfjs-core namespace fluxion uses, with gradients and chained ops registered.
// tfjs-core must load before the registrations: its engine and Tensor class become the global ones.
import * as tf from "@tensorflow/tfjs-core";
import "#sidefx";
import "./second-order-gradients.js";

export { tf };

// The single tfjs-core namespace fluxion uses, with gradients and chained ops registered.
import "#sidefx";
import * as tf from "@tensorflow/tfjs-core";

export { tf };

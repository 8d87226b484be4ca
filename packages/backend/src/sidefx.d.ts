// '#sidefx' registers tfjs gradients and chained ops; it exports nothing.
export {};

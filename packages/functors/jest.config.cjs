// functors knows nothing of tensors; only its tied-tensor test uses tfjs, on the cpu backend.
module.exports = require("../../jest.preset.cjs").preset(__dirname, { backends: ["cpu"] });

// One project: the suite switches backends itself (cpu and wasm in Node, webgl and wasm in Chromium).
module.exports = require("../../jest.preset.cjs").preset(__dirname, { backends: [] });

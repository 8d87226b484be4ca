// One project, no backend: the tests check how rows are put together, not timings.
module.exports = require("../../jest.preset.cjs").preset(__dirname, { backends: [] });

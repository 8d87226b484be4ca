// One project: the unit tests need no backend, and the e2e test drives tfjs inside Chromium.
module.exports = require("../../jest.preset.cjs").preset(__dirname, { backends: [] });

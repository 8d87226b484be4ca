// One project: the tests run the built CLI as a child process, which picks its own backend.
module.exports = require("../../jest.preset.cjs").preset(__dirname, { backends: [] });

// Selects the cpu backend before every test file; tests then assert on tf.memory() themselves.
const { beforeAll } = require("@jest/globals");
beforeAll(async () => {
  const { useBackend } = require("@fluxion/backend");
  await useBackend("cpu");
});

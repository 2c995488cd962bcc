import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/setup/fail-on-console.ts"],
    // The twin's store deep-freezes what it keeps, so an in-place change to a stored object fails a test.
    env: { KUBEDRS_TWIN_FREEZE: "1" },
    testTimeout: 30_000,
    pool: "forks",
    // Modules keep no state between tests, so one module graph per worker saves most of the run time.
    isolate: false,
  },
});

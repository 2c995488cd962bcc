import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    setupFiles: ["test/setup/fail-on-console.ts"],
    testTimeout: 30_000,
    pool: "forks",
    // Modules keep no state between tests, so one module graph per worker saves most of the run time.
    isolate: false,
  },
});

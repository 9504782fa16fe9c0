import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Inside the repository the sources are the truth: the package's own entry points resolve
    // to them, not to the built `dist/` (which the packaging test checks on its own).
    alias: [
      { find: /^hanota$/, replacement: fileURLToPath(new URL('./src/library.ts', import.meta.url)) },
      {
        find: /^hanota\/testing$/,
        replacement: fileURLToPath(new URL('./src/testing/kit.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/testing/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 60_000,
    // The JSON report is what .ci/run counts from.
    reporters: ['default', 'json'],
    outputFile: { json: 'out/test-results.json' },
  },
});

import { defineConfig } from 'vitest/config';

/**
 * Options every project takes. Inline projects do not inherit the root `test` options, so they are
 * spread into each. allowOnly: a stray `.only` would silently skip the rest of a file; it fails
 * everywhere, not only where CI is set (vitest's default is allowOnly: !CI).
 */
const everyProject = { allowOnly: false } as const;

/** Suites that drive Chromium (and, for interop, other real clients): one file at a time on 2 cores. */
const browserProject = {
  ...everyProject,
  environment: 'node' as const,
  globalSetup: ['test/e2e/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  fileParallelism: false,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...everyProject,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          ...everyProject,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: { ...browserProject, name: 'e2e', include: ['test/e2e/**/*.test.ts'] },
      },
      {
        test: {
          ...browserProject,
          // Unmodified third-party clients (browsers, gateways, verifiers) against the built CLI, each
          // on its own origin. Run by `npm run test:interop` and by .ci/run, not by `npm test`.
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
        },
      },
      {
        test: {
          ...everyProject,
          name: 'renderer',
          include: ['renderer/src/**/*.test.tsx'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});

/**
 * Two projects, both run by `npm test` (and CI):
 * - unit: in-process tests, and scripts run against fake programs; fast (the bench's target).
 * - integration (*.integration.test.ts): real servers, real Terraform, the cdktf CLI and the compiled
 *   commands as processes.
 * `npm run test:unit` runs only the first.
 */
const shared = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  transform: {
    // Type-checking is `tsc --noEmit` in `npm test`; jest only transpiles (isolatedModules in tsconfig).
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option: inside a project jest ignores it.
  testTimeout: 60000,
  globalSetup: "<rootDir>/__tests__/support/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.js",
  projects: [
    { ...shared, displayName: "unit", testMatch: ["**/*.test.ts"], testPathIgnorePatterns: ["\\.integration\\.test\\.ts$"] },
    { ...shared, displayName: "integration", testMatch: ["**/*.integration.test.ts"] },
  ],
};

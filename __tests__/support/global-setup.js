// Testing.app() and the synth tests leave folders under os.tmpdir(): give the run its own TMPDIR
// and remove it afterwards (global-teardown.js), so test runs do not fill /tmp.
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-tests-"));
  process.env.GITPOD_CDKTF_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};

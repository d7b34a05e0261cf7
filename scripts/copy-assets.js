// Copies the non-TypeScript files modules ship (shell scripts run in the cluster) next to their
// compiled JavaScript in dist/, where the modules read them at synth time.
const fs = require("fs");
const path = require("path");

function copyAssets(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const source = path.join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(source);
    else if (entry.name.endsWith(".sh")) {
      const target = path.join("dist", source);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}

copyAssets("modules");

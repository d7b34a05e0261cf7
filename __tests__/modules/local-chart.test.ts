import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { LocalChart, renderChartFiles } from "../../modules/helm-chart/local-chart";
import { parseYaml, readTree, scratchDir } from "../support/synth";

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

describe("LocalChart", () => {
  it("writes Chart.yaml and one template per object, in order", () => {
    const files = renderChartFiles({
      chartName: "demo",
      version: "1.2.3",
      appVersion: "2022.11.3",
      description: "a demo",
      manifests: [configMap("first", { a: "1" }), configMap("second", { b: "2" })],
    });
    expect(Object.keys(files).sort()).toEqual(["Chart.yaml", "templates/00-configmap-first.yaml", "templates/01-configmap-second.yaml"]);
    expect(parseYaml(files["Chart.yaml"])).toEqual({
      apiVersion: "v2",
      name: "demo",
      description: "a demo",
      type: "application",
      version: "1.2.3",
      appVersion: "2022.11.3",
    });
    expect(parseYaml(files["templates/01-configmap-second.yaml"])).toEqual(configMap("second", { b: "2" }));
  });

  it("quotes strings that Helm's YAML 1.1 parser would read as booleans or numbers", () => {
    const values = { browser: "off", enabled: "yes", mode: "ON", strict: "true", timeout: "2700" };
    const text = renderChartFiles({ chartName: "x", version: "1.0.0", description: "x", manifests: [configMap("env", values)] })[
      "templates/00-configmap-env.yaml"
    ];
    const lines = text.split("\n");
    for (const [key, value] of Object.entries(values)) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${key}: (['"])${value}\\1$`)));
    }
    expect(parseYaml(text)).toEqual(configMap("env", values));
  });

  it("spells out shared objects instead of YAML anchors, and never folds long lines", () => {
    const labels = { app: "demo" };
    const service = { apiVersion: "v1", kind: "Service", metadata: { name: "s", labels }, spec: { selector: labels } };
    const description = `a chart whose description is ${"long ".repeat(30)}`.trim();
    const files = renderChartFiles({
      chartName: "x",
      version: "1.0.0",
      description,
      manifests: [service],
    });
    expect(files["templates/00-service-s.yaml"]).not.toMatch(/[&*]/);
    expect(files["templates/00-service-s.yaml"].match(/app: demo/g)).toHaveLength(2);
    expect(files["Chart.yaml"]).toContain(`description: ${description}\n`);
  });

  it("refuses objects that Helm would treat as templates", () => {
    expect(() =>
      renderChartFiles({ chartName: "x", version: "1.0.0", description: "x", manifests: [configMap("tpl", { a: "{{ .Values.x }}" })] }),
    ).toThrow(/ConfigMap tpl: chart manifests must not contain "\{\{"/);
  });

  it("refuses values Terraform knows only at apply: the chart would ship their placeholder", () => {
    const stack = new TerraformStack(new App({ outdir: path.join(scratchDir(), "out") }), "refs");
    const reference = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
    expect(() =>
      renderChartFiles({ chartName: "x", version: "1.0.0", description: "x", manifests: [configMap("ref", { a: `prefix-${reference}` })] }),
    ).toThrow(/ConfigMap ref: chart manifests must not contain Terraform references/);
  });

  it("ships the chart inside the stack folder under a content-addressed, relative path", () => {
    const outdir = path.join(scratchDir(), "out");
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "charts");
    const chart = new LocalChart(stack, "chart", { chartName: "demo", version: "1.0.0", description: "d", manifests: [configMap("cm", { k: "v" })] });
    new TerraformOutput(stack, "chart_path", { value: chart.chartPath });
    app.synth();

    expect(chart.chartPath).toMatch(/^\.\/assets\/chart_files_[0-9A-F]{8}\/[0-9A-F]{32}$/);
    const shipped = readTree(path.join(outdir, "stacks", "charts", chart.chartPath));
    expect(shipped).toEqual(chart.files);
  });

  it("changes its path exactly when its content changes", () => {
    const pathOf = (data: Record<string, string>) => {
      const stack = new TerraformStack(new App({ outdir: path.join(scratchDir(), "out") }), "s");
      return new LocalChart(stack, "chart", { chartName: "demo", version: "1.0.0", description: "d", manifests: [configMap("cm", data)] }).chartPath;
    };
    expect(pathOf({ k: "v" })).toBe(pathOf({ k: "v" }));
    expect(pathOf({ k: "v" })).not.toBe(pathOf({ k: "w" }));
  });

  it("leaves no scratch folder behind once the process exits", () => {
    // The chart is written to a scratch folder, copied into the stack folder by synth, and the
    // scratch folder is removed on exit. Run in a child process with a TMPDIR of its own.
    const tmp = scratchDir("chart-tmp-");
    const outdir = path.join(scratchDir(), "out");
    const script = `
      const { App, TerraformStack } = require("cdktf");
      const { LocalChart } = require(${JSON.stringify(path.resolve(__dirname, "../../dist/modules/helm-chart/local-chart.js"))});
      const app = new App({ outdir: ${JSON.stringify(outdir)} });
      new LocalChart(new TerraformStack(app, "s"), "c", { chartName: "x", version: "1.0.0", description: "x", manifests: [] });
      app.synth();
      if (require("fs").readdirSync(${JSON.stringify(tmp)}).length !== 1) process.exit(3);`;
    execFileSync(process.execPath, ["-e", script], { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, TMPDIR: tmp } });
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(fs.readdirSync(path.join(outdir, "stacks", "s", "assets"))).toHaveLength(1);
  });
});

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { ChartRelease } from "../../modules/helm-chart/chart-release";
import { LocalChart, renderChartFiles, type LocalChartProps } from "../../modules/helm-chart/local-chart";
import { helmLintStrict, helmTemplate, writeChart } from "../support/helm-chart";
import { REQUIRE_SOURCES } from "../support/run-sources";
import { parseYaml, readTree, scratchDir } from "../support/synth";
import { describeWithTools, helmTool } from "../support/tools";

const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
const deployment = (name: string, annotations?: Record<string, string>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name, image: "busybox:1.36" }] } },
  },
});
const withChecksum: LocalChartProps = {
  chartName: "server",
  version: "1.0.0",
  description: "a server",
  manifests: [deployment("server", { "prometheus.io/scrape": "false" }), configMap("settings", { a: "1" })],
  podTemplateChecksums: [{ kind: "Deployment", name: "server", checksums: ["credentials"] }],
};

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

  it("templates exactly the pod-template checksums it is asked for, and declares them in values.yaml", () => {
    const files = renderChartFiles(withChecksum);
    const plain = renderChartFiles({ ...withChecksum, podTemplateChecksums: undefined });
    expect(Object.keys(files).sort()).toEqual(["Chart.yaml", "templates/00-deployment-server.yaml", "templates/01-configmap-settings.yaml", "values.yaml"]);
    expect(parseYaml(files["values.yaml"])).toEqual({ checksums: { credentials: "" } });
    // The only "{{" of the chart, among the pod template's annotations.
    const template = files["templates/00-deployment-server.yaml"];
    expect(template.match(/\{\{/g)).toHaveLength(1);
    expect(template).toContain("      annotations:\n        prometheus.io/scrape: 'false'\n        checksum/credentials: {{ .Values.checksums.credentials | quote }}\n");
    // Everything else is what the chart holds without the option.
    expect(template.replace("        checksum/credentials: {{ .Values.checksums.credentials | quote }}\n", "")).toBe(plain["templates/00-deployment-server.yaml"]);
    expect(files["templates/01-configmap-settings.yaml"]).toBe(plain["templates/01-configmap-settings.yaml"]);
    expect(files["Chart.yaml"]).toBe(plain["Chart.yaml"]);
    expect(plain["values.yaml"]).toBeUndefined();
  });

  it("keeps refusing any other \"{{\", and checksums it cannot place", () => {
    const props = (overrides: Partial<LocalChartProps>) => ({ ...withChecksum, ...overrides });
    expect(() => renderChartFiles(props({ manifests: [deployment("server", { note: "{{ .Release.Name }}" })] }))).toThrow(
      /Deployment server: chart manifests must not contain "\{\{"/,
    );
    expect(() => renderChartFiles(props({ manifests: [deployment("server"), configMap("c", { a: "{{" })] }))).toThrow(/ConfigMap c: chart manifests must not contain "\{\{"/);
    expect(() => renderChartFiles(props({ podTemplateChecksums: [{ kind: "Deployment", name: "other", checksums: ["credentials"] }] }))).toThrow(
      /the chart has no Deployment other/,
    );
    expect(() => renderChartFiles(props({ podTemplateChecksums: [{ kind: "StatefulSet", name: "server", checksums: ["credentials"] }] }))).toThrow(
      /the chart has no StatefulSet server/,
    );
    for (const name of ["with-dash", "x }}{{ .Release.Name", "1st", ""]) {
      expect(() => renderChartFiles(props({ podTemplateChecksums: [{ kind: "Deployment", name: "server", checksums: [name] }] }))).toThrow(/checksum names must be/);
    }
    expect(() => renderChartFiles(props({ manifests: [deployment("server", { "checksum/credentials": "x" })] }))).toThrow(/checksum\/credentials is set already/);
  });

  it("is fed by the release: a pod-template checksum must be one of the release's checksums", () => {
    const release = (checksums: Record<string, string>, sensitive?: Record<string, string>) =>
      new ChartRelease(new TerraformStack(Testing.app(), "s"), "r", { ...withChecksum, releaseName: "server", namespace: "ns", checksums, sensitiveChecksums: sensitive });
    expect(() => release({ other: "x" })).toThrow(/server: podTemplateChecksums names credentials, which neither checksums nor sensitiveChecksums gives/);
    expect(() => release({}, { credentials: "x" })).not.toThrow();
    expect(() => release({ credentials: "x" })).not.toThrow();
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
      const { LocalChart } = require(${JSON.stringify(path.resolve(__dirname, "../../modules/helm-chart/local-chart.ts"))});
      const app = new App({ outdir: ${JSON.stringify(outdir)} });
      new LocalChart(new TerraformStack(app, "s"), "c", { chartName: "x", version: "1.0.0", description: "x", manifests: [] });
      app.synth();
      if (require("fs").readdirSync(${JSON.stringify(tmp)}).length !== 1) process.exit(3);`;
    execFileSync(process.execPath, [...REQUIRE_SOURCES, "-e", script], { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, TMPDIR: tmp } });
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(fs.readdirSync(path.join(outdir, "stacks", "s", "assets"))).toHaveLength(1);
  });
});

describeWithTools("LocalChart's pod-template checksums, rendered by real Helm", [helmTool()], () => {
  const dir = writeChart(renderChartFiles(withChecksum));

  it("passes helm lint --strict", () => {
    expect(helmLintStrict(dir)).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("puts the release's value into the pod template's annotation, and changes nothing else", () => {
    // The helm provider passes set_sensitive {type = "string"} like --set-string.
    const first = helmTemplate(dir, { "checksums.credentials": "aaaa1111" });
    const second = helmTemplate(dir, { "checksums.credentials": "bbbb2222" });
    const annotations = (objects: Record<string, any>[]) => objects.find((o) => o.kind === "Deployment")!.spec.template.metadata.annotations;
    expect(annotations(first)).toEqual({ "prometheus.io/scrape": "false", "checksum/credentials": "aaaa1111" });
    expect(annotations(second)).toEqual({ "prometheus.io/scrape": "false", "checksum/credentials": "bbbb2222" });
    // Helm orders objects by kind: compare them by kind and name.
    const withoutChecksum = (objects: unknown[]) =>
      objects
        .map((o) => JSON.parse(JSON.stringify(o), (key, value) => (key === "checksum/credentials" ? undefined : value)))
        .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    expect(withoutChecksum(first)).toEqual(withoutChecksum(second));
    expect(withoutChecksum(first)).toEqual(withoutChecksum(renderChartFilesObjects(renderChartFiles({ ...withChecksum, podTemplateChecksums: undefined }))));
    // Without a value (never the case through ChartRelease), the annotation is empty, not an error.
    expect(annotations(helmTemplate(dir, {}))["checksum/credentials"]).toBe("");
  });
});

/** The objects of a chart without templating, as helm template would print them. */
function renderChartFilesObjects(files: Record<string, string>): unknown[] {
  return Object.keys(files)
    .filter((name) => name.startsWith("templates/"))
    .sort()
    .map((name) => parseYaml(files[name]));
}

/**
 * Every image this project deploys can be pinned by digest from the config (docs/security.md, "The
 * installer's rights"): Gitpod's installer, MySQL and MinIO in the cluster, the aws CLI of the ECR
 * token refresher, and cert-manager's components. A digest names exactly one image; a tag can be
 * moved by whoever can push to it.
 */
import { config, releaseChartFiles, resourcesOf, synthApp } from "./support/synth";

const digest = (byte: string) => `sha256:${byte.repeat(64)}`;
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";

describe("images pinned by digest", () => {
  const images = {
    installer: `mirror.acme.dev/gitpod/installer:release-2022.11.3@${digest("1")}`,
    mysql: `mirror.acme.dev/library/mysql:5.7.44@${digest("2")}`,
    minio: `mirror.acme.dev/minio/minio@${digest("3")}`,
    awsCli: `mirror.acme.dev/aws-cli/aws-cli:2.27.49@${digest("4")}`,
    controller: `mirror.acme.dev/jetstack/cert-manager-controller:v1.16.5@${digest("5")}`,
  };

  it("reach the cluster as given: installer, MySQL, MinIO", () => {
    const app = synthApp(
      config({ gitpod: { installerImage: images.installer }, database: { type: "in-cluster", image: images.mysql }, storage: { type: "in-cluster", image: images.minio } }),
    );
    const text = (stack: string, release?: string) => Object.values(releaseChartFiles(app, stack, release)).join("\n");
    expect(text("gitpod-release", "gitpod-installer")).toContain(`image: ${images.installer}`);
    expect(text("gitpod-in-cluster-services", "gitpod-mysql")).toContain(`image: ${images.mysql}`);
    expect(text("gitpod-in-cluster-services", "gitpod-minio")).toContain(`image: ${images.minio}`);
  });

  it("reach the cluster as given: the ECR refresher's aws CLI (and its kubectl, the installer image)", () => {
    const app = synthApp(
      config({
        aws: { region: "eu-west-1", eksOidcProviderArn: OIDC },
        gitpod: { installerImage: images.installer },
        registry: { type: "ecr", awsCliImage: images.awsCli },
      }),
    );
    const text = Object.values(releaseChartFiles(app, "gitpod-release", "gitpod-ecr-token-refresher")).join("\n");
    expect(text).toContain(`image: ${images.awsCli}`);
    expect(text).toContain(`image: ${images.installer}`);
  });

  it("reach cert-manager's chart as repository and digest", () => {
    const app = synthApp(config({ tls: { type: "self-signed", certManager: { images: { controller: images.controller } } } }));
    const release = Object.values(resourcesOf(app.stack("gitpod-cluster-prerequisites"), "helm_release"))[0] as { values: string[] };
    expect(release.values[0]).toContain(`image:\n  repository: mirror.acme.dev/jetstack/cert-manager-controller\n  digest: ${digest("5")}`);
  });

  it("refuse what is neither a tag nor a digest", () => {
    expect(() => config({ tls: { type: "self-signed", certManager: { images: { webhook: "quay.io/jetstack/cert-manager-webhook" } } } })).toThrow(
      /tls\.certManager\.images\.webhook: must be an image reference with a tag or digest/,
    );
  });
});

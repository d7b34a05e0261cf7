/**
 * One line per configuration key, for the JSON Schema (editors show it on hover) and
 * docs/configuration.md. valibot cannot see the schema's JSDoc comments, so they are written here,
 * keyed by where the key sits:
 * - `section.key` and `section.key.nested`: a key wherever it appears in that section, in every mode;
 * - `section[mode]`: a mode of a section with a `type` (also the description of its `type` key);
 * - `section[mode].key`: a key in one mode only, where the modes give it different meanings;
 * - `list[].key`: a key of each entry of a list.
 * A description given in the schema itself (`v.description(...)`) is used as it is, and then must not
 * be repeated here. The generator fails on a key of the schema without a description and on an
 * entry here that matches no key, so this map cannot silently fall behind the schema.
 */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  name: "Prefix of stack ids and resource names (`<name>-release`...); several installations can share a cluster or a state store.",
  domain: "Gitpod's domain: Gitpod serves `<domain>`, `*.<domain>` and `*.ws.<domain>`. Required in a file.",

  gitpod: "The Gitpod release and how it is installed.",
  "gitpod.version": "Gitpod self-hosted release to install.",
  "gitpod.namespace": "Namespace Gitpod is installed in.",
  "gitpod.repository":
    "Where every Gitpod component image is pulled from. Default: `eu.gcr.io/gitpod-core-dev/build`, or `<mirror.registry>/gitpod-core-dev/build` with a mirror.",
  "gitpod.installerImage":
    "Gitpod installer image; pin it by digest (`...@sha256:<digest>`): its Jobs run with rights over the cluster's RBAC, and preflight warns about a tag. Default: `<repository>/installer:release-<version>`.",
  "gitpod.dropImageRepo": "Flatten image paths in `repository`, for mirrors that cannot hold nested paths.",
  "gitpod.workspaceRuntime": "How workspaces run on the nodes.",
  "gitpod.workspaceRuntime.nodeOs": "Node operating system; picks `containerdRuntimeDir` (Ubuntu-like nodes and Amazon Linux keep it in different places).",
  "gitpod.workspaceRuntime.containerdRuntimeDir":
    "containerd's runtime directory on the nodes. Default: derived from `nodeOs` (`/var/lib/containerd/...` on ubuntu, `/run/containerd/...` on amazon-linux).",
  "gitpod.workspaceRuntime.containerdSocket": "containerd's socket on the nodes.",
  "gitpod.workspaceRuntime.fsShiftMethod": "How workspace file ownership is shifted: `fuse` or `shiftfs` (the kernel module).",
  "gitpod.proxy": "Gitpod's proxy Service, its entry point.",
  "gitpod.proxy.serviceType": "Kubernetes Service type of Gitpod's proxy.",
  "gitpod.proxy.serviceAnnotations": "Annotations of the proxy Service, e.g. AWS NLB annotations (rendered with the installer's experimental config).",
  "gitpod.blockNewUsers":
    "Who may create an account. Without it anyone with an account on a source-control host of `scm.providers` can sign up (on github.com or gitlab.com: anyone at all).",
  "gitpod.blockNewUsers.enabled": "Refuse sign-ups except from the e-mail domains of `passlist`.",
  "gitpod.blockNewUsers.passlist": "E-mail domains whose users may still sign up, e.g. `[acme.dev]`; at least one when `enabled`.",
  "gitpod.license": "Gitpod's license key, read from the sensitive variable `TF_VAR_gitpod_license` into a `license` secret.",
  "gitpod.license.enabled": "Give Gitpod the license key of `TF_VAR_gitpod_license`.",
  "gitpod.sshGateway": "The SSH gateway for desktop IDEs and `ssh` into workspaces; the proxy then also listens on port 22.",
  "gitpod.sshGateway.enabled":
    "Run the SSH gateway. Its host key is generated in the cluster by the first install and kept: never in the config or Terraform's state.",
  "gitpod.openVsx": "The Open VSX registry workspaces install extensions from.",
  "gitpod.openVsx.url": "Its URL, e.g. your own Open VSX or a proxy of it. Default: the installer's, `https://open-vsx.org`.",
  "gitpod.installerConfig":
    "Anything else of Gitpod's installer config (workspace timeouts and resources, templates...), deep-merged onto the generated config: mappings merge, lists and values replace. Checked against the installer's fields; fields this project sets are refused, naming the setting to use.",
  "gitpod.installTimeout": "Limit for one install or upgrade of Gitpod, and separately for the wait for its TLS certificate (`90s`, `30m`, `1h`).",

  kubernetes: "How the kubernetes and helm providers reach the cluster.",
  "kubernetes.configPath":
    'Kubeconfig of the kubernetes and helm providers (`~` is expanded by them). `""`: configure them from `KUBE_*` variables instead (CI, Terraform Cloud).',
  "kubernetes.context": "Kubeconfig context. Default: the kubeconfig's current context.",

  aws: "Where the AWS modes (`rds`, `s3`, `ecr`, `acme-route53`) create their resources; required by them.",
  "aws.region": "AWS region of the resources, e.g. `eu-west-1`.",
  "aws.vpcId": "VPC to create the RDS database in. Required when `database.type` is `rds`.",
  "aws.subnetIds": "Private subnets for RDS, two or more in different availability zones. Required when `database.type` is `rds`.",
  "aws.eksOidcProviderArn":
    "The EKS cluster's IAM OIDC provider, for the IAM roles of Kubernetes service accounts (IRSA). Required when `registry.type` is `ecr` or `tls.type` is `acme-route53`.",
  "aws.tags": "Tags added to every AWS resource.",
  "aws.offline": "Plan without AWS access (CI checks, tests): the provider skips its credential, account and region lookups. Never needed to apply.",

  tls: "Where the TLS certificate for `<domain>`, `*.<domain>` and `*.ws.<domain>` comes from. cert-manager is always used.",
  "tls[self-signed]": "A private CA made by cert-manager (trials, air-gapped sites); Gitpod and its workspaces trust it.",
  "tls[issuer]": "A cert-manager issuer you already have (Let's Encrypt with DNS01, a corporate CA...).",
  "tls[secret]": "A `kubernetes.io/tls` secret you manage in Gitpod's namespace; the install waits for it to exist.",
  "tls[acme-route53]": "Let's Encrypt with DNS01 challenges in Route53, through an IAM role that may change only the challenge records.",
  "tls.certManager": "The cert-manager installation.",
  "tls.certManager.install": "Install cert-manager; `false` when the cluster already runs cert-manager (>= v1.0), which Gitpod then uses.",
  "tls.certManager.version": "cert-manager release to install.",
  "tls.certManager.namespace": "Namespace of cert-manager.",
  "tls.certManager.serviceAccount": "The cert-manager controller's service account (the chart's default); `acme-route53` lets it request tokens.",
  "tls.certManager.chartRepository":
    "Helm repository (https) or OCI registry path (oci://) holding the jetstack chart. Default: `mirror.chartRepository`, else `https://charts.jetstack.io`.",
  "tls.caCertificate":
    "A private CA (PEM, certificates only) Gitpod trusts besides the public ones (`customCACert`): workspaces, image builds, registry pulls. With `self-signed`, Gitpod trusts both it and its own CA. The nodes' containerd needs `config_path` (docs/operations.md).",
  "tls.caCertificateFile": "Path of a file holding `caCertificate`, relative to the config file (instead of `caCertificate`).",
  "tls.certManager.images":
    "Images of cert-manager's components as `repository[:tag][@sha256:digest]`, to pin them by digest or pull them from a mirror. Default: the chart's own, by tag.",
  "tls.certManager.images.controller": "The controller's image, e.g. `quay.io/jetstack/cert-manager-controller:v1.16.5@sha256:<digest>`.",
  "tls.certManager.images.webhook": "The webhook's image (`quay.io/jetstack/cert-manager-webhook`).",
  "tls.certManager.images.cainjector": "The CA injector's image (`quay.io/jetstack/cert-manager-cainjector`).",
  "tls.certManager.images.acmesolver": "The ACME HTTP-01 solver's image (`quay.io/jetstack/cert-manager-acmesolver`).",
  "tls.certManager.images.startupapicheck": "The install check Job's image (`quay.io/jetstack/cert-manager-startupapicheck`).",
  "tls.issuerRef": "The issuer that signs Gitpod's certificate; it must solve wildcards (DNS01 for ACME).",
  "tls.issuerRef.name": "Name of the issuer.",
  "tls.issuerRef.kind": "`ClusterIssuer`, or `Issuer` in Gitpod's namespace.",
  "tls.issuerRef.group": "API group of the issuer; an external issuer's group otherwise.",
  "tls.secretName": "Name of the `kubernetes.io/tls` secret in Gitpod's namespace.",
  "tls.email": "Let's Encrypt account e-mail (expiry notices).",
  "tls.server": "`production`, `staging` (untrusted certificates, generous rate limits) or the https URL of an ACME directory.",
  "tls.hostedZoneId": "Route53 hosted zone that holds the domain; the issuer's IAM role may change only this zone.",

  database: "Gitpod's MySQL database.",
  "database[in-cluster]": "MySQL in the cluster (a StatefulSet with a volume), passwords generated at apply time.",
  "database[external]": "A MySQL 5.7-compatible server you run; its password is the sensitive variable `database_password`.",
  "database[rds]": "Amazon RDS for MySQL in your VPC, created in the `<name>-aws-services` stack.",
  "database[in-cluster].deletionProtection":
    "Refuse to destroy or replace the MySQL volume and Gitpod's encryption keys (Terraform `prevent_destroy`).",
  "database[external].deletionProtection": "Refuse to destroy Gitpod's encryption keys, which the data in this database needs.",
  "database[rds].deletionProtection": "RDS deletion protection and Terraform `prevent_destroy` on the instance and Gitpod's encryption keys.",
  "database.image":
    "MySQL image; Gitpod 2022.11 was only tested on MySQL 5.7. Default: `docker.io/library/mysql:5.7.44`, from the mirror when there is one.",
  "database.storageSize": "Size of the MySQL volume (a Kubernetes quantity).",
  "database.storageClass": "StorageClass of the volume. Default: the cluster's default StorageClass.",
  "database.host": "Host name or IPv4 address of the server, optionally with `:port`; no scheme.",
  "database.port": "MySQL port.",
  "database.username": "MySQL user Gitpod connects as; it must be allowed to `CREATE DATABASE`.",
  "database.caCertificate": "PEM CA bundle: Gitpod then connects with TLS and verifies the server.",
  "database.caCertificateFile": "Path of a file holding `caCertificate`, relative to the config file (instead of `caCertificate`).",
  "database[rds].caCertificate":
    "The RDS CA bundle (PEM), e.g. AWS's https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem: Gitpod and the Job that creates its user verify the server with it. Required unless `allowInsecureTransport`.",
  "database.allowInsecureTransport":
    "Let clients connect without TLS: the server does not require it (`require_secure_transport` 0), nor does Gitpod's user (`REQUIRE NONE`). Set it on purpose only.",
  "database.mysqlClientImage":
    "Image of the Job that creates Gitpod's own database user: `/bin/sh` and a MySQL client. Default: `docker.io/library/mysql:8.4.6`, from the mirror when there is one.",
  "database.engineVersion": "MySQL major version (see docs/aws.md, \"RDS engine version\").",
  "database.instanceClass": "RDS instance class.",
  "database.allocatedStorageGb": "Allocated storage in GB.",
  "database.maxAllocatedStorageGb": "Upper limit of storage autoscaling in GB, greater than `allocatedStorageGb`. Default: no autoscaling.",
  "database.multiAz": "A standby in a second availability zone.",
  "database.backupRetentionDays": "Days automated backups are kept.",
  "database.allowedSecurityGroupIds":
    "Security groups allowed to reach port 3306, e.g. the EKS cluster's. This list or `allowedCidrBlocks` must name at least one source.",
  "database.allowedCidrBlocks": "IPv4 CIDR blocks allowed to reach port 3306.",
  "database.applyImmediately": "Apply changes now instead of in the next maintenance window (can restart the database).",
  "database.finalSnapshot": "Take a snapshot `<identifier>-final` when the database is deleted.",

  storage: "Gitpod's object storage (workspace backups, user content).",
  "storage[in-cluster]": "MinIO in the cluster (a StatefulSet with a volume), root password generated at apply time.",
  "storage[external]": "An S3-compatible bucket you run; its secret key is the sensitive variable `storage_secret_access_key`.",
  "storage[s3]": "An S3 bucket (encrypted, versioned, private) and an IAM user whose key can only use it, in the `<name>-aws-services` stack.",
  "storage.image": "MinIO image. Default: `quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z`, from the mirror when there is one.",
  "storage.storageSize": "Size of the MinIO volume (a Kubernetes quantity).",
  "storage.storageClass": "StorageClass of the volume. Default: the cluster's default StorageClass.",
  "storage[in-cluster].deletionProtection": "Refuse to destroy or replace the MinIO volume (Terraform `prevent_destroy`).",
  "storage[s3].deletionProtection": "Refuse to destroy or replace the bucket (Terraform `prevent_destroy`).",
  "storage.endpoint": "S3-compatible endpoint, `host[:port]`, no scheme.",
  "storage[external].bucket": "An existing bucket; Gitpod keeps everything in it (single-bucket mode).",
  "storage[s3].bucket": "Bucket name. Default: `<domain with dashes>-storage`, e.g. `gitpod-acme-dev-storage`.",
  "storage.region": "Region the credentials are signed for; also Gitpod's `metadata.region`.",
  "storage.accessKeyId": "Access key id of Gitpod's credentials for the bucket.",
  "storage.allowInsecureConnection": "Plain HTTP to the endpoint, e.g. an existing MinIO without TLS.",
  "storage.noncurrentVersionExpirationDays": "Days old versions of overwritten or deleted objects are kept (versioning is on).",

  registry: "The container registry Gitpod pushes workspace images to.",
  "registry[in-cluster]": "Gitpod's own registry in the cluster, with a volume.",
  "registry[external]": "A Docker Registry HTTP API V2 registry you run; its password is the sensitive variable `registry_password`.",
  "registry[s3]": "Gitpod's own registry with its blobs in an S3 bucket (what Gitpod recommended on AWS), in the `<name>-aws-services` stack.",
  "registry[ecr]": "Two ECR repositories and an in-cluster job that refreshes the 12-hour ECR login, in the `<name>-aws-services` stack.",
  "registry[in-cluster].deletionProtection": "Keep the registry's volume when Gitpod is uninstalled or reinstalled.",
  "registry[s3].deletionProtection": "Refuse to destroy or replace the bucket (Terraform `prevent_destroy`).",
  "registry[ecr].deletionProtection": "Refuse to destroy or replace the repositories (Terraform `prevent_destroy`).",
  "registry.url": "Registry host with the path Gitpod pushes below, no scheme: `registry.acme.dev/gitpod` gets `.../base-images` and `.../workspace-images`.",
  "registry.username": "User Gitpod pushes and pulls as.",
  "registry.bucket": "Bucket name. Default: `<domain with dashes>-registry`, e.g. `gitpod-acme-dev-registry`.",
  "registry.noncurrentVersionExpirationDays": "Days old versions of overwritten or deleted objects are kept (versioning is on).",
  "registry.repositoryPrefix": "Repositories are `<prefix>/base-images` and `<prefix>/workspace-images`. Default: `name`.",
  "registry.untaggedImageExpiryDays": "Days after which untagged images expire.",
  "registry.refreshIntervalHours": "How often the ECR login is refreshed (ECR logins last 12 hours).",
  "registry.awsCliImage":
    "Image of the refresher's first step (`aws ecr get-login-password`). Default: `public.ecr.aws/aws-cli/aws-cli:2.27.49`, from the mirror when there is one.",

  dns: "Who creates the DNS records of `<domain>`, `*.<domain>` and `*.ws.<domain>`, which all point at Gitpod's proxy (docs/dns.md).",
  "dns[none]": "You create the three records yourself; docs/dns.md says how to find the proxy's load balancer address.",
  "dns[external-dns-route53]":
    "external-dns, in a namespace of its own, keeps the records in a Route53 hosted zone through an IAM role (IRSA) that may change only Gitpod's names and their TXT ownership records there. Needs `aws.eksOidcProviderArn`.",
  "dns.hostedZoneId": "The Route53 hosted zone holding the domain: its own zone or a parent's.",
  "dns.policy": "`upsert-only` creates and updates records but never deletes one; `sync` also deletes the records it made when the proxy goes.",
  "dns.chartRepository":
    "Helm repository (https) or OCI registry path (oci://) holding the kubernetes-sigs `external-dns` chart. Default: `mirror.chartRepository`, else `https://kubernetes-sigs.github.io/external-dns/`.",
  "dns.image":
    "external-dns image; with a digest keep the tag (`repository:tag@sha256:...`). Default: `registry.k8s.io/external-dns/external-dns:v0.21.0`, from the mirror when there is one.",
  scm: "Source control providers Gitpod logs users in with.",
  "scm.providers": "Gitpod auth providers; more can be added later in Gitpod's dashboard.",
  "scm.providers[].id": "Identifier of the provider, unique; its client secret is the sensitive variable `scm_<id>_client_secret` (lower-cased, other characters as `_`).",
  "scm.providers[].type": "Kind of source control.",
  "scm.providers[].host": "Host, optionally with `:port`. Default: github.com, gitlab.com or bitbucket.org by type; required for `BitbucketServer`.",
  "scm.providers[].clientId": "OAuth client id of the app registered with callback `https://<domain>/auth/<host>/callback`.",

  mirror:
    "A private registry mirror: every third-party image comes from `<registry>/<its path without the registry host>`, Gitpod's own from `<registry>/gitpod-core-dev/build` (docs/air-gapped.md). Default: the public registries.",
  "mirror.registry": "The mirror's host (with `:port` if not 443) and optional path, e.g. `registry.acme.dev/mirror`.",
  "mirror.username":
    "When the mirror needs a login: every pod that pulls from it gets a pull secret with this user and the password of `TF_VAR_mirror_password`. Default: anonymous pulls.",
  "mirror.chartRepository":
    "A Helm repository (https) or OCI registry path (oci://) holding the charts this project installs (cert-manager, external-dns): the default of each chart's repository.",
  backend: "Where the stacks' Terraform state lives (see docs/operations.md, \"State backends\").",
  "backend[local]": "`terraform.<stack id>.tfstate` files next to `cdktf.json`.",
  "backend[s3]": "One object per stack in an existing S3 bucket.",
  "backend[cloud]": "One Terraform Cloud (or Enterprise) workspace per stack.",
  "backend.bucket": "Existing bucket (versioning on, public access blocked).",
  "backend.region": "Region of the bucket.",
  "backend.keyPrefix": "Each stack's state is `<keyPrefix>/<stack id>.tfstate`.",
  "backend.useLockfile": "S3's own locking (Terraform >= 1.10).",
  "backend.dynamodbTable": "A DynamoDB table for locking, for Terraform versions or teams that still use one.",
  "backend.kmsKeyId": "Encrypt state with this KMS key instead of S3's default encryption.",
  "backend.organization": "Terraform Cloud organization.",
  "backend.hostname": "Terraform Cloud host; your Terraform Enterprise host otherwise.",
  "backend.project": "Project the workspaces belong to (it must exist). Default: the organization's default project.",
  "backend.bootstrap": "Create and wire the workspaces with a `<name>-terraform-cloud` stack (tfe provider).",
  "backend.bootstrap.executionMode": "Execution mode of every workspace.",
  "backend.bootstrap.agentPoolId": "Agent pool of the workspaces (`apool-...`). Required when `executionMode` is `agent`.",
  "backend.bootstrap.vcs": "VCS-driven runs from the repository holding the synthesized `cdktf.out`.",
  "backend.bootstrap.vcs.identifier": "The repository, `<owner>/<repository>`.",
  "backend.bootstrap.vcs.branch": "Branch runs are triggered from. Default: the repository's default branch.",
  "backend.bootstrap.vcs.oauthTokenId": "Terraform Cloud OAuth token of the VCS connection (`ot-...`).",
  "backend.bootstrap.environmentVariables":
    "Provider settings and credentials for the runs (`KUBE_*`, `HELM_*`, `AWS_*`), as sensitive environment variables, each only on the workspaces whose stacks use its provider; values are given to the bootstrap run as `TF_VAR_env_<name>`.",
  "backend.bootstrap.dynamicCredentials": "Terraform Cloud's dynamic provider credentials (OIDC) instead of static ones, on the workspaces whose stacks use the provider.",
  "backend.bootstrap.dynamicCredentials.aws": "Sets `TFC_AWS_PROVIDER_AUTH=true` and the role below on the workspaces with the aws provider.",
  "backend.bootstrap.dynamicCredentials.aws.roleArn": "IAM role the runs assume (`TFC_AWS_RUN_ROLE_ARN`); it must trust Terraform Cloud's OIDC provider for these workspaces.",
  "backend.bootstrap.dynamicCredentials.aws.planRoleArn": "IAM role for plans only (`TFC_AWS_PLAN_ROLE_ARN`), e.g. read-only. Default: `roleArn`.",
  "backend.bootstrap.dynamicCredentials.aws.audience": "Audience of the identity token (`TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`). Default: Terraform Cloud's, `aws.workload.identity`.",
  "backend.bootstrap.dynamicCredentials.kubernetes":
    "Sets `TFC_KUBERNETES_PROVIDER_AUTH=true` on the workspaces with the kubernetes or helm provider; Terraform Cloud then sets `KUBE_TOKEN`. Needs `KUBE_HOST` in `environmentVariables` and `kubernetes.configPath: \"\"`.",
  "backend.bootstrap.dynamicCredentials.kubernetes.audience":
    "Audience of the identity token (`TFC_KUBERNETES_WORKLOAD_IDENTITY_AUDIENCE`): the client ID of the cluster's OIDC identity provider for Terraform Cloud.",
};

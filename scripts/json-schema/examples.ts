/**
 * An example value of some keys, shown in docs/configuration.md under the key's section and given
 * to editors as the JSON Schema's `examples`. Keyed like ./descriptions.ts; each must be a value
 * the app accepts there (__tests__/json-schema.test.ts loads every one).
 */
export const EXAMPLES: Readonly<Record<string, unknown>> = {
  "gitpod.blockNewUsers": { enabled: true, passlist: ["acme.dev"] },
  "gitpod.license": { enabled: true },
  "gitpod.sshGateway": { enabled: true },
  "gitpod.openVsx": { url: "https://open-vsx.acme.dev" },
  "gitpod.installerConfig": {
    workspace: { maxLifetime: "12h", timeoutDefault: "60m", resources: { requests: { cpu: "2", memory: "4Gi" } } },
    containerRegistry: { privateBaseImageAllowList: ["harbor.acme.dev"] },
  },
  "tls[issuer]": { type: "issuer", issuerRef: { name: "acme-corp-ca" }, caCertificateFile: "corp-ca.pem" },
  mirror: { registry: "registry.acme.dev/mirror", username: "robot$gitpod", chartRepository: "oci://registry.acme.dev/charts" },
  "dns[external-dns-route53]": { type: "external-dns-route53", hostedZoneId: "Z0123456789ABCDEFGHIJ", policy: "upsert-only" },
};

/**
 * Validates manifests against the Kubernetes and cert-manager OpenAPI schemas (offline, through
 * kubernetes-models). Unknown fields are caught at compile time instead: product code builds these
 * objects with the models' TypeScript interfaces.
 */
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "batch/v1/CronJob": CronJob,
  "batch/v1/Job": Job,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "cert-manager.io/v1/Certificate": Certificate,
  "cert-manager.io/v1/Issuer": Issuer,
  "cert-manager.io/v1/ClusterIssuer": ClusterIssuer,
};

/** Throws with the schema's message when the object is invalid, or when no schema is known. */
export function validateAgainstSchema(object: Record<string, unknown>): void {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema registered for ${key}`);
  new Model(object as never).validate();
}

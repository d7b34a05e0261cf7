/**
 * Validates manifests against the Kubernetes and cert-manager OpenAPI schemas (offline, through
 * kubernetes-models). Unknown fields are caught at compile time instead: product code builds these
 * objects with the models' TypeScript interfaces.
 */
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { Job } from "kubernetes-models/batch/v1/Job";

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "batch/v1/Job": Job,
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

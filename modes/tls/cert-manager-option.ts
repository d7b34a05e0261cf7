import * as v from "valibot";
import { certManagerSchema } from "../../config/sections";

/** Every TLS mode says how cert-manager is installed (Gitpod's own release needs it in any case). */
export const certManagerOption = { certManager: v.optional(certManagerSchema, {}) };

import type { GitpodDatabase } from "../gitpod/dependencies";

export interface ExternalMysqlDatabaseProps {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Sensitive: a Terraform variable or another reference, never a literal. */
  readonly password: string;
  /** PEM bundle of the server's CA; Gitpod then requires and verifies TLS. */
  readonly caCertificate?: string;
}

/**
 * A MySQL server the user already runs. Nothing is created: Gitpod is pointed at it. The user must
 * be allowed to create databases (Gitpod's init job creates `gitpod-sessions`); `npm run preflight`
 * checks this and the server settings before anything is applied.
 */
export function externalMysqlDatabase(props: ExternalMysqlDatabaseProps): GitpodDatabase {
  return { ...props };
}

import * as v from "valibot";
import { deletionProtection, hostOnly, pemCertificate, port } from "../../config/primitives";
import { SENSITIVE_VARIABLES } from "../../config/sections";
import { externalMysqlDatabase } from "../../modules/external/mysql-database";
import { databaseMode } from "../dependencies";

export const externalMysql = databaseMode({
  type: "external",
  summary: "a MySQL server you run; preflight checks it before apply",
  entries: {
    /** Any MySQL 5.7-compatible server; the password is the variable `database_password`. */
    host: hostOnly,
    port: v.optional(port, 3306),
    username: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
    /** PEM CA bundle: Gitpod then connects with TLS and verifies the server (`database.ssl.caCert`). */
    caCertificate: v.optional(pemCertificate),
    /** Protects Gitpod's encryption keys, which the data in this database needs. */
    deletionProtection,
  },
  placement: ["release"],
  build(context, { type: _, deletionProtection: __, ...server }) {
    return externalMysqlDatabase({
      ...server,
      password: context.sensitiveVariable(SENSITIVE_VARIABLES.databasePassword, `Password of MySQL user ${server.username} at ${server.host}`),
    });
  },
});

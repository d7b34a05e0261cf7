import { TerraformOutput } from "cdktf";
import * as v from "valibot";
import { imageReference } from "../../config/primitives";
import { InClusterMysqlDatabase } from "../../modules/in-cluster-mysql/in-cluster-mysql-database";
import { databaseMode } from "../dependencies";
import { inClusterPlacement, inClusterVolume } from "../shared-options";

/** Last MySQL 5.7 release: Gitpod 2022.11 was only tested on 5.7. */
export const DEFAULT_MYSQL_IMAGE = "docker.io/library/mysql:5.7.44";

export const inClusterMysql = databaseMode({
  type: "in-cluster",
  summary: "MySQL 5.7 in the cluster, on a volume of its own",
  entries: {
    /** Default: DEFAULT_MYSQL_IMAGE, from the mirror when there is one. */
    image: v.optional(imageReference),
    ...inClusterVolume("20Gi"),
  },
  placement: ["in-cluster-services"],
  keepsDataInNamespace: (options) => options.deletionProtection,
  build(context, options) {
    const scope = context.scope("in-cluster-services");
    const database = new InClusterMysqlDatabase(scope, "mysql", inClusterPlacement(context, "mysql", options, DEFAULT_MYSQL_IMAGE));
    new TerraformOutput(scope, "database_host", { value: `${database.host}:${database.port}`, description: "In-cluster MySQL, host:port" });
    return database;
  },
});

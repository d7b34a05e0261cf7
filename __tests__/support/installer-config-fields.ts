/** The installer config's field tree is product code now (config/installer-fields.ts); the contract tests read it from there. */
export { INSTALLER_CONFIG_FIELDS, unknownInstallerConfigFields } from "../../config/installer-fields";

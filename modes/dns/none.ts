import { dnsMode } from "../dependencies";

export const noDns = dnsMode({
  type: "none",
  summary: "you create the records for <domain>, *.<domain> and *.ws.<domain> (docs/dns.md)",
  entries: {},
  placement: [],
  build: () => undefined,
});

/**
 * A private CA and a server certificate for 127.0.0.1/localhost, made with openssl, for the
 * servers the tests run with TLS.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface TestCertificates {
  /** PEM of the CA that signed the server certificate. */
  readonly caPem: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A new CA (`name` in its subject) and a server certificate it signed, valid for 127.0.0.1 and localhost. */
export function makeCertificates(dir: string, name = "gitpod-cdktf test CA"): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  // EC keys: generated in milliseconds, where RSA takes a tenth of a second each.
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(dir, ["req", "-x509", ...key, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${name}`]);
  openssl(dir, ["req", ...key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(dir, [
    "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
    "-out", "server.crt", "-days", "2", "-extfile", "san.ext",
  ]);
  const file = (name: string) => path.join(dir, name);
  return {
    caPem: fs.readFileSync(file("ca.crt"), "utf8"),
    caFile: file("ca.crt"),
    certFile: file("server.crt"),
    keyFile: file("server.key"),
    certPem: fs.readFileSync(file("server.crt"), "utf8"),
    keyPem: fs.readFileSync(file("server.key"), "utf8"),
  };
}

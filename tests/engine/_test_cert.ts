/**
 * Test helper: a test CA and a leaf certificate for 127.0.0.1 made by
 * `openssl` at test time, for https tests against local servers.
 *
 * @module
 */

/** A test CA and a leaf certificate for 127.0.0.1 it signed (rustls rejects a CA as leaf). */
export async function makeCertificate(): Promise<{ ca: string; cert: string; key: string }> {
  const dir = await Deno.makeTempDir();
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await openssl(
      "req",
      "-x509",
      ...ec,
      "-days",
      "1",
      "-subj",
      "/CN=Lunge Test CA",
      "-keyout",
      `${dir}/ca.key`,
      "-out",
      `${dir}/ca.pem`,
    );
    await openssl(
      "req",
      ...ec,
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/leaf.csr`,
    );
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    );
    await openssl(
      "x509",
      "-req",
      "-in",
      `${dir}/leaf.csr`,
      "-CA",
      `${dir}/ca.pem`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      `${dir}/ext.cnf`,
      "-out",
      `${dir}/cert.pem`,
    );
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether `openssl` may be run here and works. */
export function hasOpenssl(): boolean {
  try {
    if (Deno.permissions.querySync({ name: "run", command: "openssl" }).state !== "granted") {
      return false;
    }
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

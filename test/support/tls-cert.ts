/**
 * A fresh self-signed certificate for loopback tests of native TLS, made with openssl the same
 * way test/support/deployment-nginx.ts makes nginx's: P-256, one day, CN 127.0.0.1 with SANs
 * IP:127.0.0.1 and DNS:localhost, so a client that trusts it as its CA verifies either name.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCert {
  /** The temporary directory holding the files; removed by `remove()`. */
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM bytes, to hand to a client as `ca`. */
  readonly cert: Buffer;
  /** SHA-256 fingerprint in Node's `AA:BB:…` form, as `getPeerCertificate()` reports it. */
  readonly fingerprint256: string;
  remove(): void;
}

/** Generates a certificate and its unencrypted key into a new temporary directory. */
export function makeSelfSignedCert(prefix = 'jarvis-tls-'): TestCert {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const cert = readFileSync(certFile);
  return {
    dir,
    certFile,
    keyFile,
    cert,
    fingerprint256: new X509Certificate(cert).fingerprint256,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * JARVIS_TLS_CERT / JARVIS_TLS_KEY checked at start: both files readable, a PEM certificate and a
 * PEM private key that belong together. Otherwise the server would fail later, inside listen(),
 * with an fs or OpenSSL stack trace that names no variable (and cluster workers would crash-loop).
 * Nothing read here is kept: the server reads the files again when it listens.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './parse.ts';

function read(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(variable, `cannot read ${file}${code ? ` (${code})` : ''}`);
  }
}

/** Throws a ConfigError naming the variable whose file is missing, unreadable, not PEM, or mismatched. */
export function checkTlsFiles(certFile: string, keyFile: string): void {
  let cert: X509Certificate;
  try {
    const pem = read('JARVIS_TLS_CERT', certFile);
    // X509Certificate reads DER too; the https server takes PEM only.
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not PEM');
    cert = new X509Certificate(pem);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('JARVIS_TLS_CERT', `${certFile} is not a PEM certificate`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(read('JARVIS_TLS_KEY', keyFile));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('JARVIS_TLS_KEY', `${keyFile} is not a PEM private key (an encrypted key is not supported)`);
  }
  if (!cert.checkPrivateKey(key)) throw new ConfigError('JARVIS_TLS_KEY', `${keyFile} does not belong to the certificate in JARVIS_TLS_CERT`);
}

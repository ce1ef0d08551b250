/**
 * JARVIS_TLS_CERT / JARVIS_TLS_KEY checked at start: both files readable, a PEM certificate and a
 * PEM private key that belong together. Otherwise the server would fail later, inside listen(),
 * with an fs or OpenSSL stack trace that names no variable (and cluster workers would crash-loop).
 * Nothing read here is kept: the server reads the files again when it listens.
 * The Kafka client's files (KAFKA_SSL_CA, KAFKA_SSL_CERT / KAFKA_SSL_KEY) are checked the same way.
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

/** The variables that name a certificate file and its key file, for the error messages. */
export interface TlsFileVariables {
  readonly cert: string;
  readonly key: string;
}

/** Throws a ConfigError naming the variable whose file is missing, unreadable, not PEM, or mismatched. */
export function checkTlsFiles(certFile: string, keyFile: string, vars: TlsFileVariables = { cert: 'JARVIS_TLS_CERT', key: 'JARVIS_TLS_KEY' }): void {
  let cert: X509Certificate;
  try {
    const pem = read(vars.cert, certFile);
    // X509Certificate reads DER too; the https server takes PEM only.
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not PEM');
    cert = new X509Certificate(pem);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(vars.cert, `${certFile} is not a PEM certificate`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(read(vars.key, keyFile));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(vars.key, `${keyFile} is not a PEM private key (an encrypted key is not supported)`);
  }
  if (!cert.checkPrivateKey(key)) throw new ConfigError(vars.key, `${keyFile} does not belong to the certificate in ${vars.cert}`);
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Checks a PEM bundle of one or more CA certificates (every block must parse). */
export function checkCaBundle(variable: string, file: string): void {
  const blocks = read(variable, file).toString('latin1').match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new ConfigError(variable, `${file} holds no PEM certificate`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(variable, `certificate ${i + 1} of ${blocks.length} in ${file} is not valid`);
    }
  });
}

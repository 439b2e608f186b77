/**
 * Test-only TLS material, generated once per process with Debian's `openssl` into a
 * temporary directory: a CA, a server certificate it signs for `localhost` and
 * `127.0.0.1`, a second CA that signs nothing (a client trusting only it must refuse
 * the server), and a self-signed certificate for the same names that nobody trusts.
 * Nothing is committed, so nothing expires in the repository.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  /** The directory holding the PEM files (removed when the process exits). */
  dir: string;
  /** PEM of the CA that signed `cert`. */
  ca: Buffer;
  caFile: string;
  /** The server's certificate and key (SAN: DNS localhost, IP 127.0.0.1). */
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
  /** PEM of an unrelated CA: trusting only it, a client must refuse `cert`. */
  otherCa: Buffer;
  otherCaFile: string;
  /** A self-signed certificate (and its key) for the same names, signed by no CA above. */
  selfSignedCert: Buffer;
  selfSignedKey: Buffer;
}

let pki: TestPki | undefined;

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The process's test PKI, created on first use (about 100 ms). */
export function testPki(): TestPki {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), 'wspipe-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=wspipe test CA'], dir);
  openssl(['req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '30', '-subj', '/CN=wspipe other CA'], dir);
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'self-signed.key', '-out', 'self-signed.pem', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '30', '-extfile', 'san.ext'],
    dir,
  );
  const file = (name: string): string => join(dir, name);
  pki = {
    dir,
    ca: readFileSync(file('ca.pem')),
    caFile: file('ca.pem'),
    cert: readFileSync(file('server.pem')),
    key: readFileSync(file('server.key')),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    otherCa: readFileSync(file('other-ca.pem')),
    otherCaFile: file('other-ca.pem'),
    selfSignedCert: readFileSync(file('self-signed.pem')),
    selfSignedKey: readFileSync(file('self-signed.key')),
  };
  return pki;
}

/**
 * Base64 of the SHA-256 of a certificate's SubjectPublicKeyInfo: the form Chromium's
 * `--ignore-certificate-errors-spki-list` takes to trust that one key (and no other).
 */
export function spkiSha256Base64(certPem: Buffer): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The PKI's files as a journey program reads them: CA_FILE, CERT_FILE, KEY_FILE. */
export function pkiEnv(): NodeJS.ProcessEnv {
  const { caFile, certFile, keyFile } = testPki();
  return { CA_FILE: caFile, CERT_FILE: certFile, KEY_FILE: keyFile };
}

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  caPermits,
  issueCa,
  issueServerCertificate,
  LOOPBACK_NAMES,
  type PemPair,
  subtreesPermittedBy,
} from './certificates';

const CA_CERT = 'ca.crt';
const CA_KEY = 'ca.key';
const SERVER_CERT = 'server.crt';
const SERVER_KEY = 'server.key';
/** Renewed this long before expiry, so a certificate never lapses while the provider runs. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface TlsMaterial {
  /** PEM of the CA certificate: what a client must trust. */
  ca: string;
  caCertPath: string;
  /** SHA-256 fingerprint of the CA certificate (as `openssl x509 -fingerprint -sha256` prints it). */
  caFingerprint: string;
  /** Whether this start made a new CA (a client that trusted the previous one must trust this one). */
  caCreated: boolean;
  /** Made in a temporary folder for this run only (in-memory engine); removed by dispose(). */
  temporary: boolean;
  /** The server's certificate and key, for the HTTPS listener. */
  cert: string;
  key: string;
  dispose(): void;
}

/**
 * The names the server certificate covers: loopback, the host it binds (unless a wildcard) and the
 * issuer's host, so a client reaching it under any of them sees a name that matches.
 */
export function serverNames(bindHost: string, issuer: string | undefined): string[] {
  const names = new Set(LOOPBACK_NAMES);
  const add = (host: string) => names.add(host.replace(/^\[|\]$/g, '').toLowerCase());
  if (bindHost !== '0.0.0.0' && bindHost !== '::') add(bindHost);
  if (issuer) add(new URL(issuer).hostname);
  return [...names];
}

function readPair(dir: string, certFile: string, keyFile: string): PemPair | undefined {
  try {
    return {
      certPem: fs.readFileSync(path.join(dir, certFile), 'utf8'),
      keyPem: fs.readFileSync(path.join(dir, keyFile), 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/** Written beside and renamed into place, so a start that is interrupted leaves no half-written file. */
function writeFileAtomic(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, file);
}

function writePair(dir: string, pair: PemPair, certFile: string, keyFile: string): void {
  // The key first: a certificate on disk without its key would be read as a pair that fails to load.
  writeFileAtomic(path.join(dir, keyFile), pair.keyPem, 0o600);
  writeFileAtomic(path.join(dir, certFile), pair.certPem, 0o644);
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function lastsPastRenewal(cert: X509Certificate, now: Date): boolean {
  return (
    new Date(cert.validFrom).getTime() <= now.getTime() &&
    new Date(cert.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS
  );
}

function covers(cert: X509Certificate, name: string): boolean {
  return name.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
    ? cert.checkIP(name) !== undefined
    : cert.checkHost(name, { wildcards: false }) !== undefined;
}

function usableCa(pair: PemPair | undefined, names: readonly string[], now: Date): boolean {
  const cert = pair && parse(pair.certPem);
  return !!cert && cert.ca && lastsPastRenewal(cert, now) && caPermits(pair.certPem, names);
}

function usableServer(pair: PemPair | undefined, ca: X509Certificate, names: readonly string[], now: Date) {
  const cert = pair && parse(pair.certPem);
  return (
    !!cert &&
    cert.verify(ca.publicKey) &&
    lastsPastRenewal(cert, now) &&
    names.every((name) => covers(cert, name))
  );
}

/** The names a new CA must allow: those asked for now and those the previous CA allowed. */
function namesForNewCa(previous: PemPair | undefined, names: readonly string[]): string[] {
  const kept = previous && parse(previous.certPem) ? subtreesPermittedBy(previous.certPem) : [];
  return [...new Set([...kept, ...names])];
}

/**
 * Loads the CA and server certificate kept in `dir` (the data folder's tls/), making or renewing what
 * is missing, expiring within 30 days or not covering `names`. A CA is made once per data folder; it is
 * remade only when it expires or a name outside its name constraints is asked for. `dir` null (an
 * in-memory engine) makes everything in a temporary folder for this run.
 */
export async function prepareTls(options: {
  dir: string | null;
  names: readonly string[];
  now?: Date;
}): Promise<TlsMaterial> {
  const now = options.now ?? new Date();
  const temporary = options.dir === null;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'idp-sandbox-tls-'));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  let ca = readPair(dir, CA_CERT, CA_KEY);
  const caCreated = !usableCa(ca, options.names, now);
  if (caCreated || !ca) {
    ca = await issueCa(namesForNewCa(ca, options.names), now);
    writePair(dir, ca, CA_CERT, CA_KEY);
  }
  const caCert = new X509Certificate(ca.certPem);
  let server = readPair(dir, SERVER_CERT, SERVER_KEY);
  if (!server || !usableServer(server, caCert, options.names, now)) {
    server = await issueServerCertificate(ca, options.names, now);
    writePair(dir, server, SERVER_CERT, SERVER_KEY);
  }
  return {
    ca: ca.certPem,
    caCertPath: path.join(dir, CA_CERT),
    caFingerprint: caCert.fingerprint256,
    caCreated,
    temporary,
    cert: server.certPem,
    key: server.keyPem,
    dispose: () => {
      if (temporary) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

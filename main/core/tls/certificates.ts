// The polyfill tsyringe (inside @peculiar/x509) needs must load before @peculiar/x509 itself.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  GeneralName as AsnGeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_LIFETIME_MS = 10 * 365 * DAY_MS;
/** Apple platforms refuse server certificates valid for more than 825 days; browsers cap at 398. */
const SERVER_LIFETIME_MS = 397 * DAY_MS;
/** A clock a little behind (a container, a VM) must not see the certificate as not yet valid. */
const BACKDATE_MS = 60 * 60 * 1000;

/** The names every certificate covers, whatever the issuer says: this machine's loopback names. */
export const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** The subtrees the CA may vouch for: all of loopback, whatever port or loopback address is used. */
const LOOPBACK_SUBTREES: readonly string[] = ['127.0.0.0/8', '::1/128', 'localhost'];

export interface PemPair {
  certPem: string;
  keyPem: string;
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A name as a subtree: an IP address becomes the range of just that address (`a.b.c.d/32`). */
function subtreeText(name: string): string {
  if (name.includes('/')) return name;
  const version = isIP(name);
  return version === 0 ? name.toLowerCase() : `${name}/${version === 4 ? 32 : 128}`;
}

/** One spelling per address, so a stored subtree compares equal to the same name asked for again. */
function canonicalSubtree(text: string): string {
  const [address = '', bits] = text.split('/');
  if (bits === undefined || isIP(address) !== 6) return text.toLowerCase();
  return `${new URL(`http://[${address}]`).hostname.slice(1, -1)}/${bits}`;
}

function subtreeFor(name: string): GeneralSubtree {
  const text = subtreeText(name);
  const base = text.includes('/')
    ? new AsnGeneralName({ iPAddress: text })
    : new AsnGeneralName({ dNSName: text });
  return new GeneralSubtree({ base });
}

/**
 * The CA may sign only for loopback and the given extra names (RFC 5280 §4.2.1.10): trusting it then
 * lets no one who obtains its key impersonate any other site to this machine.
 */
function nameConstraints(extraNames: readonly string[]): x509.Extension {
  const subtrees = [...LOOPBACK_SUBTREES, ...extraNames.filter((name) => !coveredByLoopback(name))];
  const value = new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees.map(subtreeFor)) });
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(value));
}

function coveredByLoopback(name: string): boolean {
  const lower = name.toLowerCase().replace(/\/(8|32|128)$/, '');
  return (
    lower === 'localhost' ||
    lower.endsWith('.localhost') ||
    lower === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(lower)
  );
}

/** The subtrees (`localhost`, `127.0.0.0/8`, …) a CA made by issueCa may sign for. */
export function subtreesPermittedBy(caCertPem: string): string[] {
  const ca = new x509.X509Certificate(caCertPem);
  const extension = ca.getExtension(id_ce_nameConstraints);
  if (!extension) return [];
  const constraints = AsnConvert.parse(extension.value, NameConstraints);
  return (constraints.permittedSubtrees ?? []).map((subtree) =>
    canonicalSubtree(new x509.GeneralName(subtree.base).value),
  );
}

/** Whether a CA made by issueCa may sign a certificate for every one of these names. */
export function caPermits(caCertPem: string, names: readonly string[]): boolean {
  const permitted = new Set(subtreesPermittedBy(caCertPem));
  return names.every((name) => coveredByLoopback(name) || permitted.has(canonicalSubtree(subtreeText(name))));
}

/** A self-signed CA for this data folder, allowed to sign only for loopback and `extraNames`. */
export async function issueCa(extraNames: readonly string[], now: Date): Promise<PemPair> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=IDP Sandbox local CA ${now.toISOString().slice(0, 10)}, O=IDP Sandbox`,
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_LIFETIME_MS),
    extensions: [
      // pathLen 0: it signs server certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      nameConstraints(extraNames),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A TLS server certificate for `names` (IP addresses and host names), signed by the CA. */
export async function issueServerCertificate(
  ca: PemPair,
  names: readonly string[],
  now: Date,
): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const sans = names.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name }) as const);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names.find((name) => !isIP(name)) ?? names[0]}, O=IDP Sandbox`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: KEY_ALGORITHM,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + SERVER_LIFETIME_MS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

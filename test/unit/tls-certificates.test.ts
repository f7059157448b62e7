import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  caPermits,
  issueCa,
  issueServerCertificate,
  type PemPair,
  subtreesPermittedBy,
} from '../../main/core/tls/certificates';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date();

/**
 * A real TLS handshake from a client trusting only `ca`, to a server presenting `server`: "trusted",
 * or the client's error as `CODE: message`.
 */
async function handshake(ca: PemPair, server: PemPair, servername: string): Promise<string> {
  const listener = tls.createServer({ cert: server.certPem, key: server.keyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: ca.certPem }, () => {
        socket.end();
        resolve('trusted');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`));
    });
  } finally {
    listener.close();
  }
}

describe('local CA and server certificates (@peculiar/x509, checked with Node crypto and OpenSSL)', () => {
  it('makes a CA that may sign certificates and nothing below it', async () => {
    const ca = await issueCa([], NOW);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toContain('IDP Sandbox local CA');
    expect(new Date(cert.validTo).getTime() - NOW.getTime()).toBeGreaterThan(9 * 365 * DAY);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(subtreesPermittedBy(ca.certPem)).toEqual(['127.0.0.0/8', '::1/128', 'localhost']);
  });

  it('signs a server certificate for loopback and the issuer host, valid from now for 397 days', async () => {
    const ca = await issueCa(['idp.test'], NOW);
    const server = await issueServerCertificate(ca, ['127.0.0.1', '::1', 'localhost', 'idp.test'], NOW);
    const leaf = new X509Certificate(server.certPem);
    expect(leaf.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkHost('idp.test')).toBe('idp.test');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: TLS server only
    expect(new Date(leaf.validFrom).getTime()).toBeLessThanOrEqual(NOW.getTime());
    const lifetime = new Date(leaf.validTo).getTime() - NOW.getTime();
    expect(lifetime).toBeGreaterThan(396 * DAY);
    expect(lifetime).toBeLessThanOrEqual(397 * DAY);
  });

  it('is trusted by a TLS client that trusts only the CA', async () => {
    const ca = await issueCa([], NOW);
    const server = await issueServerCertificate(ca, ['127.0.0.1', '::1', 'localhost'], NOW);
    expect(await handshake(ca, server, 'localhost')).toBe('trusted');
    const other = await issueCa([], NOW);
    expect(await handshake(other, server, 'localhost')).toMatch(/^UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('constrains the CA to the local names: a certificate it signs for another name is refused', async () => {
    const ca = await issueCa([], NOW);
    expect(caPermits(ca.certPem, ['127.0.0.1', '127.0.0.2', 'localhost', 'app.localhost'])).toBe(true);
    expect(caPermits(ca.certPem, ['example.com'])).toBe(false);
    // Even one who has the CA key cannot make a client believe it is example.com.
    const forged = await issueServerCertificate(ca, ['example.com'], NOW);
    expect(await handshake(ca, forged, 'example.com')).toMatch(/permitted subtree violation/);

    const withIssuerHost = await issueCa(['idp.test', '192.0.2.7', '2001:db8::7'], NOW);
    expect(caPermits(withIssuerHost.certPem, ['idp.test', '192.0.2.7', '2001:db8:0::7'])).toBe(true);
    expect(caPermits(withIssuerHost.certPem, ['192.0.2.8'])).toBe(false);
    const forIssuer = await issueServerCertificate(withIssuerHost, ['localhost', 'idp.test'], NOW);
    expect(await handshake(withIssuerHost, forIssuer, 'idp.test')).toBe('trusted');
  });
});

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareTls, serverNames } from '../../main/core/tls/material';
import { tempDir } from '../helpers/engine';

const DAY = 24 * 60 * 60 * 1000;
const LOCAL = ['127.0.0.1', '::1', 'localhost'];
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tlsDir(): string {
  const dataDir = tempDir();
  dirs.push(dataDir);
  return path.join(dataDir, 'tls');
}

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('TLS material in the data folder', () => {
  it('names loopback, a bound address and the issuer host, never a wildcard bind', () => {
    expect(serverNames('127.0.0.1', undefined)).toEqual(LOCAL);
    expect(serverNames('0.0.0.0', 'https://IDP.test:8443')).toEqual([...LOCAL, 'idp.test']);
    expect(serverNames('::', 'https://[2001:db8::7]:8443')).toEqual([...LOCAL, '2001:db8::7']);
    expect(serverNames('192.0.2.7', undefined)).toEqual([...LOCAL, '192.0.2.7']);
  });

  it('makes the CA once, keeps its key private, and reuses everything at the next start', async () => {
    const dir = tlsDir();
    const first = await prepareTls({ dir, names: LOCAL });
    expect(first.caCreated).toBe(true);
    expect(first.temporary).toBe(false);
    expect(first.caCertPath).toBe(path.join(dir, 'ca.crt'));
    expect(mode(dir)).toBe('700');
    expect(mode(path.join(dir, 'ca.key'))).toBe('600');
    expect(mode(path.join(dir, 'server.key'))).toBe('600');
    expect(fs.readFileSync(first.caCertPath, 'utf8')).toBe(first.ca);
    expect(first.caFingerprint).toBe(new X509Certificate(first.ca).fingerprint256);

    const second = await prepareTls({ dir, names: LOCAL });
    expect(second.caCreated).toBe(false);
    expect(second.caFingerprint).toBe(first.caFingerprint);
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  it('renews the server certificate near its expiry, with the same CA', async () => {
    const dir = tlsDir();
    const now = new Date();
    const first = await prepareTls({ dir, names: LOCAL, now });
    const later = await prepareTls({ dir, names: LOCAL, now: new Date(now.getTime() + 370 * DAY) });
    expect(later.caFingerprint).toBe(first.caFingerprint);
    expect(later.cert).not.toBe(first.cert);
    const leaf = new X509Certificate(later.cert);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(now.getTime() + 700 * DAY);
    expect(leaf.verify(new X509Certificate(later.ca).publicKey)).toBe(true);
  });

  it('renews what is missing or unreadable', async () => {
    const dir = tlsDir();
    const first = await prepareTls({ dir, names: LOCAL });
    fs.rmSync(path.join(dir, 'server.key'));
    const withoutKey = await prepareTls({ dir, names: LOCAL });
    expect(withoutKey.caFingerprint).toBe(first.caFingerprint);
    expect(withoutKey.key).not.toBe(first.key);
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'not a certificate');
    const withoutCa = await prepareTls({ dir, names: LOCAL });
    expect(withoutCa.caCreated).toBe(true);
    expect(new X509Certificate(withoutCa.cert).verify(new X509Certificate(withoutCa.ca).publicKey)).toBe(
      true,
    );
  });

  it('covers a new issuer host: a new server certificate, and a new CA only for a name outside its constraints', async () => {
    const dir = tlsDir();
    const first = await prepareTls({ dir, names: LOCAL });
    const loopbackAlias = await prepareTls({ dir, names: [...LOCAL, 'idp.localhost'] });
    expect(loopbackAlias.caFingerprint).toBe(first.caFingerprint);
    expect(new X509Certificate(loopbackAlias.cert).checkHost('idp.localhost')).toBe('idp.localhost');

    const otherHost = await prepareTls({ dir, names: [...LOCAL, 'idp.test'] });
    expect(otherHost.caCreated).toBe(true);
    expect(new X509Certificate(otherHost.cert).checkHost('idp.test')).toBe('idp.test');
    // The new CA still allows the names the old one did, so going back does not make a third.
    const back = await prepareTls({ dir, names: LOCAL });
    expect(back.caFingerprint).toBe(otherHost.caFingerprint);
  });

  it('makes a throwaway CA in a temporary folder for an in-memory engine, removed by dispose()', async () => {
    const material = await prepareTls({ dir: null, names: LOCAL });
    expect(material.temporary).toBe(true);
    expect(fs.existsSync(material.caCertPath)).toBe(true);
    material.dispose();
    expect(fs.existsSync(path.dirname(material.caCertPath))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { allowedHosts } from '../../main/core/http/host-check';

describe('allowedHosts', () => {
  it('accepts every loopback name on the issuer port when the issuer is loopback', () => {
    const hosts = allowedHosts('http://127.0.0.1:9400');
    expect([...hosts].sort()).toEqual(['127.0.0.1:9400', '[::1]:9400', 'localhost:9400']);
  });

  it('accepts only the issuer host for a non-loopback issuer', () => {
    const hosts = allowedHosts('https://idp.example.test');
    expect(hosts.has('idp.example.test')).toBe(true);
    expect(hosts.has('idp.example.test:443')).toBe(true);
    expect(hosts.has('localhost:443')).toBe(false);
  });

  it('does not accept a rebinding name on the same port', () => {
    expect(allowedHosts('http://localhost:9400').has('attacker.example:9400')).toBe(false);
  });
});

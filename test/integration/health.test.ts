import { describe, expect, it } from 'vitest';
import { VERSION } from '../../main/core';
import { TRANSPORT_SEED } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { rawRequest } from '../helpers/oauth-http';

/**
 * GET /health, what container HEALTHCHECKs, Kubernetes probes and compose healthchecks ask (issue 20
 * §2). Probes come under whatever address they have, not the issuer's host, so /health answers for
 * any Host while every other path keeps the DNS-rebinding check.
 */

startFileEngine(TRANSPORT_SEED);

function health(method: string, host: string, path = '/health') {
  return rawRequest(engine.issuer, { method, path, headers: { host } });
}

describe('/health', () => {
  it('answers 200 with the status, version and issuer, never cached', async () => {
    const response = await health('GET', new URL(engine.issuer).host);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(response.text)).toEqual({ status: 'ok', version: VERSION, issuer: engine.issuer });
  });

  it('answers HEAD with the status and no body', async () => {
    const response = await health('HEAD', new URL(engine.issuer).host);
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  });

  it('answers probes under any Host, where the other endpoints refuse that Host with 421', async () => {
    // A compose service name, a pod IP and a port-mapped name: what probes actually send.
    for (const host of ['idp:9400', '10.1.2.3:9400', 'localhost:19400']) {
      const probe = await health('GET', host);
      expect({ host, status: probe.status, body: JSON.parse(probe.text).status }).toEqual({
        host,
        status: 200,
        body: 'ok',
      });
      const discovery = await health('GET', host, '/.well-known/openid-configuration');
      expect({ host, status: discovery.status }).toEqual({ host, status: 421 });
    }
  });

  it('is only GET and HEAD /health: other methods and paths go through the usual checks', async () => {
    const issuerHost = new URL(engine.issuer).host;
    expect((await health('POST', issuerHost)).status).toBe(404);
    expect((await health('POST', 'idp:9400')).status).toBe(421);
    expect((await health('GET', issuerHost, '/health/extra')).status).toBe(404);
    expect((await health('GET', 'idp:9400', '/healthz')).status).toBe(421);
  });
});

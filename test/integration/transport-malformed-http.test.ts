import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HEADER_LIMIT_BYTES } from '../../main/core/http/server';
import { TRANSPORT_SEED } from '../helpers/endpoint-seeds';
import { engine, startFileEngine } from '../helpers/file-engine';
import { rawRequest } from '../helpers/oauth-http';

/** Transport-level hardening: requests Fastify refuses before routing, answered in the OAuth shape. */

startFileEngine(TRANSPORT_SEED);

describe('requests Fastify refuses before routing', () => {
  function rawSocket(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(engine.port, '127.0.0.1', () => socket.end(bytes));
      let out = '';
      socket.on('data', (chunk) => {
        out += chunk.toString();
      });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
  }

  function parse(raw: string) {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
  }

  it('answers malformed HTTP with an OAuth-shaped 400 (431 for oversized headers) and keeps serving', async () => {
    for (const [bytes, status] of [
      ['GARBAGE\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nContent-Length: x\r\n\r\n`, 400],
      [
        `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        400,
      ],
      [
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${engine.port}\r\nX-Big: ${'a'.repeat(HEADER_LIMIT_BYTES + 1)}\r\n\r\n`,
        431,
      ],
    ] as const) {
      const response = parse(await rawSocket(bytes));
      expect({ sent: bytes.slice(0, 30), status: response.status }).toEqual({
        sent: bytes.slice(0, 30),
        status,
      });
      expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    const alive = await rawRequest(engine.issuer, { path: '/.well-known/openid-configuration' });
    expect(alive.status).toBe(200);
  });

  it('answers an undecodable or over-long admin method as unknown, with the usual headers', async () => {
    for (const path of ['/admin/api/%zz', `/admin/api/${'a'.repeat(150)}`]) {
      const response = await rawRequest(engine.issuer, {
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text)).toEqual({ code: 'unknown_method', message: expect.any(String) });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });
});

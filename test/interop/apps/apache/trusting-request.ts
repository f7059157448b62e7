import fs from 'node:fs';
import https from 'node:https';

export interface Answer {
  status: number;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * HTTPS requests that trust the sandbox's own CA (and nothing is switched off): Node's fetch reads
 * extra CAs only at process start, and the CA is made when the provider starts.
 */
export function requestTrusting(caFile: string): (url: string, options?: RequestOptions) => Promise<Answer> {
  const ca = fs.readFileSync(caFile, 'utf8');
  return (url, options = {}) =>
    new Promise((resolve, reject) => {
      const request = https.request(
        url,
        { method: options.method ?? 'GET', headers: options.headers, ca },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(options.body);
    });
}

import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { PlaygroundStep } from '../../../../../shared/contract';

type Exchange = NonNullable<PlaygroundStep['http']>;

function HeadersTable({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0)
    return (
      <Text size="xs" c="dimmed">
        No headers of note.
      </Text>
    );
  return (
    <Table aria-label={label} verticalSpacing={2} fz="xs">
      <Table.Tbody>
        {entries.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Td ff="monospace" w={170} style={{ verticalAlign: 'top' }}>
              {name}
            </Table.Td>
            <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
              {value}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A body as readable as possible: pretty JSON, form fields one per line, anything else as is. */
export function formatBody(body: string, contentType: string | undefined): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  if (type.includes('x-www-form-urlencoded')) {
    return [...new URLSearchParams(body)].map(([k, v]) => `${k}=${v}`).join('\n');
  }
  return body;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

function statusColor(status: number): string {
  if (status >= 500) return 'red';
  if (status >= 400) return 'orange';
  if (status >= 300) return 'blue';
  return 'green';
}

/** The request a client (or browser) sent and what the provider answered. */
export function HttpPanes({ http }: { http: Exchange }) {
  const { request, response } = http;
  const url = new URL(request.url);
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Paper withBorder p="sm" role="region" aria-label="Request">
        <Stack gap="xs">
          <Text fw={600} size="sm">
            Request
          </Text>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
            {request.method} {url.pathname}
            {url.search && `\n  ${url.search.slice(1).split('&').join('\n  &')}`}
            {`\nHost: ${url.host}`}
          </Code>
          <HeadersTable headers={request.headers} label="Request headers" />
          {request.body !== null && (
            <>
              <Text size="xs" fw={600}>
                Body (form fields decoded)
              </Text>
              <Code
                block
                aria-label="Request body"
                style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
              >
                {formatBody(request.body, header(request.headers, 'content-type'))}
              </Code>
            </>
          )}
        </Stack>
      </Paper>
      <Paper withBorder p="sm" role="region" aria-label="Response">
        <Stack gap="xs">
          <Group gap="xs">
            <Text fw={600} size="sm">
              Response
            </Text>
            <Badge color={statusColor(response.status)} data-testid="response-status">
              {response.status}
            </Badge>
          </Group>
          <HeadersTable headers={response.headers} label="Response headers" />
          {response.body && (
            <>
              <Text size="xs" fw={600}>
                Body
              </Text>
              <Code
                block
                aria-label="Response body"
                style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 360, overflow: 'auto' }}
              >
                {formatBody(response.body, header(response.headers, 'content-type'))}
              </Code>
            </>
          )}
        </Stack>
      </Paper>
    </SimpleGrid>
  );
}

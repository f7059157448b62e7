import { Badge, Group, List, Text } from '@mantine/core';
import type { Finding, FindingLevel } from '../../../../../shared/jwt-inspect';

const COLORS: Record<FindingLevel, string> = { error: 'red', warning: 'orange', info: 'blue', ok: 'green' };
const ORDER: Record<FindingLevel, number> = { error: 0, warning: 1, info: 2, ok: 3 };

/** The inspector's findings, worst first, each with its stable code for tests and searching. */
export function Findings({ findings }: { findings: Finding[] }) {
  const sorted = [...findings].sort((a, b) => ORDER[a.level] - ORDER[b.level]);
  const problems = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  return (
    <div>
      <Text fw={600} size="sm" mb={4} id="findings-title">
        Findings:{' '}
        {problems
          ? `${problems} problem${problems === 1 ? '' : 's'}`
          : warnings
            ? `no errors, ${warnings} warning${warnings === 1 ? '' : 's'}`
            : 'nothing wrong found'}
      </Text>
      <List aria-labelledby="findings-title" spacing={4} listStyleType="none" ml={0} pl={0}>
        {sorted.map((finding) => (
          <List.Item key={`${finding.code}:${finding.message}`} data-finding={finding.code}>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Badge color={COLORS[finding.level]} variant="light" w={78} style={{ flexShrink: 0 }}>
                {finding.level}
              </Badge>
              <Text size="sm">
                {finding.message}{' '}
                <Text span size="xs" c="dimmed" ff="monospace">
                  {finding.code}
                </Text>
              </Text>
            </Group>
          </List.Item>
        ))}
      </List>
    </div>
  );
}

import { Alert, Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A short explanation at the top of a lab page, with a way to the longer Learn page. */
export function LabIntro({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Alert variant="light" color="indigo" title={title}>
      <Text size="sm" component="div">
        {children}{' '}
        <Anchor href="#/lab/learn" size="sm">
          Learn more about tokens
        </Anchor>
      </Text>
    </Alert>
  );
}

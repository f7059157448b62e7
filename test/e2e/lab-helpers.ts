/** Helpers of the lab pages' e2e tests: picking an option of a select, and pasting a copied command. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';

/**
 * Runs a copied curl command the way a developer would paste it into a shell. Asynchronously: the
 * engine (and any test API) answering it runs in this very process.
 */
export async function runShell(command: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', ['-c', command], { encoding: 'utf8', timeout: 10_000 });
  return stdout;
}

/** Opens the select named `label` and picks `option`. */
export async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

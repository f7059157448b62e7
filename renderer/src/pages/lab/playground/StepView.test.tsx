import { describe, expect, it } from 'vitest';
import { specSections } from './StepView';

describe('specSections', () => {
  it('gives each section its document, carried over from the section before', () => {
    expect(specSections('RFC 8693 §2.1, §2.2.1, §4.1')).toEqual([
      'RFC 8693 §2.1',
      'RFC 8693 §2.2.1',
      'RFC 8693 §4.1',
    ]);
    expect(specSections('RFC 6749 §4.3, RFC 9700 §2.4, RFC 9449 §4.2, §5, §6.1')).toEqual([
      'RFC 6749 §4.3',
      'RFC 9700 §2.4',
      'RFC 9449 §4.2',
      'RFC 9449 §5',
      'RFC 9449 §6.1',
    ]);
    expect(specSections('OIDC Core §3.1.3.7')).toEqual(['OIDC Core §3.1.3.7']);
    expect(specSections('RFC 7636 §4.1–4.2, OIDC Core §3.1.2.1')).toEqual([
      'RFC 7636 §4.1–4.2',
      'OIDC Core §3.1.2.1',
    ]);
  });
});

import { redactError } from './redact';

describe('redactError', () => {
  it('cuts out configured credentials, bearer tokens and Authorization headers', () => {
    const text = redactError(
      'GET https://k8s/api?token=abc123 failed: 401 (Authorization: Bearer s3cr3t-token-value) sa=TOKEN-XYZ',
      ['TOKEN-XYZ'],
    );
    expect(text).not.toMatch(/s3cr3t|abc123|TOKEN-XYZ/);
    expect(text).toContain('401');
  });

  it('shortens long messages', () => {
    expect(redactError('x'.repeat(2000), []).length).toBeLessThanOrEqual(500);
  });
});

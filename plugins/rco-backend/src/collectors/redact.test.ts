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

  it('cuts out the first part of a secret a shortened body ends with', () => {
    const token = 'prom-token-0123456789abcdef';
    const cut = `Prometheus answered 401: bad token ${token}`.slice(0, -9);
    const text = redactError(cut, [token]);
    expect(text).not.toContain(token.slice(0, 8));
    expect(text).toMatch(/answered 401: bad token \[redacted\]$/);
  });

  it('shortens long messages', () => {
    expect(redactError('x'.repeat(2000), []).length).toBeLessThanOrEqual(500);
  });
});

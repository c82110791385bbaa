/**
 * A collector's error in words for people, without secrets: an Authorization header or bearer
 * token a library echoed, and every configured cluster credential, are cut out; long messages
 * are shortened. Health is shown to everyone who sees the entity, so this runs on every error.
 */
export function redactError(message: string, secrets: string[]): string {
  let text = String(message);
  for (const secret of secrets) {
    if (secret && secret.length >= 4)
      text = text.split(secret).join('[redacted]');
  }
  // A body cut short (Prometheus's error text is) can end in the first part of a secret.
  for (const secret of secrets) {
    for (let n = secret?.length - 1; n >= 6; n--) {
      if (text.endsWith(secret.slice(0, n))) {
        text = `${text.slice(0, text.length - n)}[redacted]`;
        break;
      }
    }
  }
  text = text
    .replace(
      /(authorization["']?\s*[:=]\s*["']?)[^\s"',}]+(\s+[^\s"',}]+)?/gi,
      '$1[redacted]',
    )
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/([?&](?:token|access_token|password)=)[^&\s]+/gi, '$1[redacted]');
  return text.length > 500 ? `${text.slice(0, 497)}…` : text;
}

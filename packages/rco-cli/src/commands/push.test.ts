import fs from 'node:fs';
import path from 'node:path';
import { localRefusal } from './push';

/** The shared real tool outputs, read where they are (never copied in). */
const samples = path.resolve(__dirname, '../../../../../shared/samples');
const read = (file: string) =>
  fs.readFileSync(path.join(samples, file), 'utf8');

describe('localRefusal', () => {
  const accepted = fs
    .readdirSync(samples)
    .filter(
      f =>
        /\.(json|ya?ml)$/.test(f) &&
        f !== 'prometheus-api-v1-query-vector-response.json',
    );

  it('has the samples to check', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(15);
  });

  it.each(accepted)('lets the sample %s through', file => {
    expect(localRefusal(file, read(file))).toBeUndefined();
  });

  it('refuses a Prometheus query result, naming the kinds and --kind', () => {
    const file = 'prometheus-api-v1-query-vector-response.json';
    expect(localRefusal(file, read(file))).toMatch(
      /^prometheus-api-v1-query-vector-response\.json is not a recognised evidence format, so nothing was uploaded\. Accepted kinds: trivy, grype, .*naming-report.*\. If it is one of them, say which with --kind\.$/,
    );
  });

  it('names the document of a multi-document file that is not recognised', () => {
    const text = `${read(
      'velero-backup-completed.yaml',
    )}\n---\nkind: Something\n`;
    expect(localRefusal('two.yaml', text)).toMatch(
      /^two\.yaml \(document 2 of 2\) is not a recognised/,
    );
  });

  it('leaves a document detection cannot tell to --kind (a clean gitleaks report is [])', () => {
    expect(localRefusal('clean.json', '[]')).toMatch(
      /not a recognised evidence format/,
    );
    expect(localRefusal('clean.json', '[]', 'gitleaks')).toBeUndefined();
  });

  it.each([
    ['', /^f is empty: nothing was uploaded/],
    ['{"a": ', /^f is not valid JSON: nothing was uploaded/],
    [
      'a: [1\nb: 2',
      /^f is not valid YAML at line \d+, column \d+ \(document 1\)/,
    ],
  ])('refuses unreadable text %j without quoting it', (text, sentence) => {
    expect(localRefusal('f', text)).toMatch(sentence);
  });

  it('reads trufflehog NDJSON as one document', () => {
    const line = JSON.stringify({
      DetectorName: 'AWS',
      SourceMetadata: { Data: {} },
      Raw: 'x',
    });
    expect(localRefusal('th.json', `${line}\n${line}\n`)).toBeUndefined();
  });
});

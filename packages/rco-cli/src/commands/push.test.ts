import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { checkFile, localRefusal } from './push';

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

describe('checkFile', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-push-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('does not read a file above the bound: refused without --kind, left to the backend with it', () => {
    const file = path.join(tmp, 'big.json');
    fs.writeFileSync(file, `{"not": "closed" ${' '.repeat(3000)}`);
    expect(checkFile(file, undefined, 2 * 1024 * 1024)).toMatch(
      /is not valid JSON/,
    );
    expect(checkFile(file, undefined, 1024)).toBe(
      `${file} is 3017 bytes, more than the 1024 bytes the CLI reads to recognise a format, so nothing was uploaded. The backend accepts files up to rco.evidence.maxUploadBytes (10 MiB unless an admin raised it): split the output, or name its kind with --kind to upload it unread.`,
    );
    // Unread: its broken JSON is the backend's to refuse (or its size, with 413).
    expect(checkFile(file, 'trivy', 1024)).toBeUndefined();
  });

  it('throws the file system error for a missing file', () => {
    expect(() =>
      checkFile(path.join(tmp, 'none.json'), undefined, 1024),
    ).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

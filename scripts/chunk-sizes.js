#!/usr/bin/env node
// Sizes of the production build's JavaScript chunks that contain the rco frontend plugin's own
// code (found from the source maps), raw and gzip. Run after `yarn workspace app build`.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const dir = path.resolve(__dirname, '../packages/app/dist/static');
if (!fs.existsSync(dir)) {
  console.error('No production build: run `yarn workspace app build` first');
  process.exit(2);
}
let raw = 0;
let gzip = 0;
const rows = [];
for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.js'))) {
  const map = path.join(dir, `${file}.map`);
  if (!fs.existsSync(map)) continue;
  const { sources = [] } = JSON.parse(fs.readFileSync(map, 'utf8'));
  const ours = sources.filter(s => /plugins\/rco(-common)?\/src\//.test(s));
  if (!ours.length) continue;
  const body = fs.readFileSync(path.join(dir, file));
  const size = { raw: body.length, gzip: zlib.gzipSync(body).length };
  raw += size.raw;
  gzip += size.gzip;
  rows.push(
    `${file}: ${(size.raw / 1024).toFixed(1)} kB raw, ${(
      size.gzip / 1024
    ).toFixed(1)} kB gzip (${ours.length} plugin sources of ${sources.length})`,
  );
}
console.log(rows.join('\n'));
console.log(
  `chunks with plugin code: ${rows.length}, ${(raw / 1024).toFixed(
    1,
  )} kB raw, ${(gzip / 1024).toFixed(1)} kB gzip (target <= 150 kB gzip)`,
);

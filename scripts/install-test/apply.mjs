// Carries out one step of the README's install guide in the fresh app (see guide.mjs for the
// directives). A step whose anchor is missing fails: the guide no longer matches the template.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function mergeYaml(target, addition) {
  if (Array.isArray(target) && Array.isArray(addition))
    return [...target, ...addition];
  if (
    target &&
    addition &&
    typeof target === 'object' &&
    typeof addition === 'object'
  ) {
    const out = { ...target };
    for (const [k, v] of Object.entries(addition))
      out[k] = k in out ? mergeYaml(out[k], v) : v;
    return out;
  }
  return addition;
}

function edit(file, step) {
  let text = fs.readFileSync(file, 'utf8');
  const where = `${step.attrs.file} (README.md:${step.line})`;
  if (step.attrs.remove) {
    const re = new RegExp(step.attrs.remove);
    if (!re.test(text))
      throw new Error(`${where}: nothing matches remove=${step.attrs.remove}`);
    text = text.replace(re, '');
  }
  // Anchors are literal text; `\n` in one stands for a line break.
  const literal = v => (typeof v === 'string' ? v.replace(/\\n/g, '\n') : v);
  const before = literal(step.attrs.before);
  const after = literal(step.attrs.after);
  if (step.attrs.prepend) {
    text = step.body + text;
  } else if (before) {
    const from = after ? text.indexOf(after) : 0;
    if (from < 0) throw new Error(`${where}: "${after}" not found`);
    const at = text.indexOf(before, from);
    if (at < 0) throw new Error(`${where}: "${before}" not found`);
    // Keep the anchor's indentation: insert at the start of its line.
    const lineStart = text.lastIndexOf('\n', at) + 1;
    text = text.slice(0, lineStart) + step.body + text.slice(lineStart);
  } else {
    throw new Error(`${where}: edit needs before=… or prepend`);
  }
  fs.writeFileSync(file, text);
}

/** @param step one step of readGuide; @param ctx `{ app, root, run }` */
export function applyStep(step, { app, root, run }) {
  const file = step.attrs.file ? path.join(app, step.attrs.file) : undefined;
  switch (step.action) {
    case 'run':
      for (const line of step.body.split('\n')) {
        const command = line.replace(/\s+#.*$/, '').trim();
        if (command && !command.startsWith('#')) run(command);
      }
      return;
    case 'edit':
      return edit(file, step);
    case 'write':
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, step.body);
      return;
    case 'copy':
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.copyFileSync(path.join(root, step.attrs.from), file);
      return;
    case 'merge-yaml': {
      const YAML = require(require.resolve('yaml', { paths: [root] }));
      const doc = YAML.parse(fs.readFileSync(file, 'utf8')) ?? {};
      fs.writeFileSync(
        file,
        YAML.stringify(mergeYaml(doc, YAML.parse(step.body))),
      );
      return;
    }
    default:
      throw new Error(
        `README.md:${step.line}: unknown install-test directive "${step.action}"`,
      );
  }
}

// The port the README's commands name for the backend. In CI other loopback ports belong to the
// end-to-end portal (7007, 3000): text that names one would test that portal, not the app.
const README_PORT = 7007;
// Every spelling of this machine: localhost (any case, a trailing dot, *.localhost), 127/8 in
// short forms, 0.0.0.0, 127.0.0.1 in decimal or hex, and any bracketed IPv6 literal ([::1],
// [::ffff:127.0.0.1]); not preceded by more of a host name (mylocalhost is another host).
const LOOPBACK_HOST = String.raw`(?:[\w-]+\.)*localhost\.?|ip6-localhost|127(?:\.\d{1,3}){0,3}|0(?:\.0){0,3}|0x7f[0-9a-f]{6}|21307\d{5}|\[[0-9a-f:.]+\]`;
const LOOPBACK_PORT = new RegExp(
  String.raw`(?<![\w.-])(?:${LOOPBACK_HOST}):(\d{1,5})\b`,
  'gi',
);
const README_PORT_TOKEN = new RegExp(String.raw`\b${README_PORT}\b`);

/**
 * Refuses text naming a loopback port other than the test app's, and, when the app is elsewhere,
 * the README's port in any form (`P=7007`, `port: 7007`, `-p 7007`): only `localhost:7007` in a
 * command is moved to the app's port (localCommand), so any other 7007 would reach the portal.
 */
function refuseReadmePort(text, port, where) {
  const fix = `not the install test's app at localhost:${port} (write localhost:${README_PORT} for the backend: it is moved to the app's port)`;
  for (const match of text.matchAll(LOOPBACK_PORT))
    if (Number(match[1]) !== port)
      throw new Error(`${where} names ${match[0]}, ${fix}`);
  if (port !== README_PORT && README_PORT_TOKEN.test(text))
    throw new Error(`${where} names port ${README_PORT}, ${fix}`);
}

/**
 * A guide command as the install test runs it: our packages from the packed tarballs (`yarn add
 * @helix-portal/x` would ask the registry), and the README's address of the backend
 * (localhost:7007) at the port the test's app listens on. Any other mention of port 7007 is an
 * error when the app is elsewhere: in CI the portal of the end-to-end tests holds 7007, and a
 * command that reached it would test that portal instead of the fresh app.
 */
export function localCommand(command, { tarballs, port }) {
  const local = command
    .replace(/(@helix-portal\/[a-z0-9-]+)/g, name =>
      tarballs[name] ? `${name}@file:${tarballs[name]}` : name,
    )
    .replace(/\blocalhost:7007\b/g, `localhost:${port}`);
  refuseReadmePort(local, port, `"${command}"`);
  return local;
}

/**
 * A guide block other than a command (checked by localCommand) is refused the same way; for a
 * copy, the file it copies (a script the guide then runs would reach the port unseen).
 */
export function checkPort(step, port, root) {
  if (step.action === 'copy') {
    const text = fs.readFileSync(path.join(root, step.attrs.from), 'utf8');
    refuseReadmePort(text, port, `README.md:${step.line}: ${step.attrs.from}`);
  } else if (step.action !== 'run') {
    refuseReadmePort(step.body, port, `README.md:${step.line}: the block`);
  }
}

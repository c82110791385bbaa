// Reads the install guide out of README.md: the text between `<!-- install-guide:start -->` and
// `<!-- install-guide:end -->`. Every code block preceded by an `<!-- install-test: … -->` comment
// is a step the install test carries out exactly as written (but for two substitutions,
// apply.mjs localCommand: our packages from the packed tarballs, and localhost:7007 at the test
// app's port); blocks without one are examples a reader adapts (their own permission policy, a
// production cluster) and are not run.
//
// Directives (attributes are key=value or key="value with spaces"):
//   run                                   each line of the block is a shell command, run in the app root
//   edit file=F before=S [after=A]        insert the block before the first S (after the first A)
//   edit file=F prepend                   insert the block at the top of F
//   edit file=F remove=REGEX …            also delete what REGEX matches (must match once)
//   write file=F                          create F with the block
//   copy from=R file=F                    copy R (a path in this repository: example data, never plugin source)
//   merge-yaml file=F                     deep-merge the YAML block into F (arrays are appended to)
// Any directive may carry variant=new or variant=legacy (the frontend system it is for).

const START = '<!-- install-guide:start -->';
const END = '<!-- install-guide:end -->';

function parseAttributes(text) {
  const attrs = {};
  const re = /([a-z-]+)(?:=(?:"((?:[^"\\]|\\.)*)"|(\S+)))?/g;
  let m;
  while ((m = re.exec(text))) {
    // Only \" is unescaped here: `remove` is a regular expression and keeps its backslashes.
    const value = m[2] !== undefined ? m[2].replace(/\\"/g, '"') : m[3];
    attrs[m[1]] = value === undefined ? true : value;
  }
  return attrs;
}

// The attributes each directive takes; a misspelt one (`varient=legacy`) is an error, not a step
// that runs for every variant.
const ATTRIBUTES = {
  run: ['when', 'variant'],
  edit: ['file', 'before', 'after', 'prepend', 'remove', 'variant'],
  write: ['file', 'variant'],
  copy: ['from', 'file', 'variant'],
  'merge-yaml': ['file', 'variant'],
};
const VALUES = { variant: ['new', 'legacy'], when: ['started'] };

function checkDirective(action, attrs, where) {
  const allowed = ATTRIBUTES[action];
  if (!allowed)
    throw new Error(`${where}: unknown install-test directive "${action}"`);
  for (const [key, value] of Object.entries(attrs)) {
    if (!allowed.includes(key)) {
      throw new Error(
        `${where}: ${action} takes no attribute "${key}" (${allowed.join(
          ', ',
        )})`,
      );
    }
    if (VALUES[key] && !VALUES[key].includes(value)) {
      throw new Error(
        `${where}: ${key} must be ${VALUES[key].join(' or ')}, not "${value}"`,
      );
    }
  }
  if (action !== 'run' && !attrs.file)
    throw new Error(`${where}: ${action} needs file=…`);
  if (action === 'edit' && !attrs.before && !attrs.prepend) {
    throw new Error(`${where}: edit needs before=… or prepend`);
  }
  if (action === 'copy' && !attrs.from)
    throw new Error(`${where}: copy needs from=…`);
}

/** The guide's steps, in order, each `{ action, attrs, lang, body, line }`. */
export function readGuide(readme) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md has no install guide between ${START} and ${END}`,
    );
  }
  const lines = readme.slice(start, end).split('\n');
  const firstLine = readme.slice(0, start).split('\n').length;
  const steps = [];
  for (let i = 0; i < lines.length; i++) {
    const directive = lines[i].match(/^<!-- install-test: (\S+)(.*?)-->\s*$/);
    if (!directive) {
      // A near miss (a leading space, no space after `<!--`) would be skipped silently and the
      // test would pass without carrying the step out.
      if (lines[i].includes('install-test:')) {
        throw new Error(
          `README.md:${firstLine + i}: not an install-test directive: ${
            lines[i]
          }`,
        );
      }
      continue;
    }
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    const fence = lines[j]?.match(/^(```+)(\S*)/);
    if (!fence) {
      throw new Error(
        `README.md:${
          firstLine + i
        }: install-test directive is not followed by a code block`,
      );
    }
    const body = [];
    let k = j + 1;
    for (; k < lines.length && !lines[k].startsWith(fence[1]); k++)
      body.push(lines[k]);
    const attrs = parseAttributes(directive[2]);
    checkDirective(directive[1], attrs, `README.md:${firstLine + i}`);
    steps.push({
      action: directive[1],
      attrs,
      lang: fence[2],
      body: `${body.join('\n')}\n`,
      line: firstLine + i,
    });
    i = k;
  }
  return steps;
}

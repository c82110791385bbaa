import { isCollection, LineCounter, parseDocument } from 'yaml';

/** `sections[3].body` → `['sections', 3, 'body']`; `(document)` → `[]`. */
export function splitPath(path: string): Array<string | number> {
  if (!path || path.startsWith('(')) return [];
  const keys: Array<string | number> = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    keys.push(/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part);
  }
  return keys;
}

/**
 * Where in a runbook's YAML a problem's field is: the line of the field's key (or item), or of
 * its nearest ancestor that exists when the field itself is missing. A YAML syntax problem
 * already says `line N, column M`. Line 1 when nothing better is known.
 */
export function createLocator(source: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  return (path: string): number => {
    const syntax = /^line (\d+), column \d+$/.exec(path);
    if (syntax) return Number(syntax[1]);
    let node: unknown = doc.contents;
    let line = 1;
    if (node && (node as any).range) line = lineAt((node as any).range[0]);
    for (const key of splitPath(path)) {
      if (!isCollection(node)) break;
      // A map's pair points at its key (where an editor's eye goes); a sequence at the item.
      const pair = (node as any).items.find?.(
        (item: any) =>
          item?.key !== undefined && (item.key?.value ?? item.key) === key,
      );
      if (typeof key === 'number' && !pair) {
        const item = (node as any).items[key];
        if (!item?.range) break;
        line = lineAt(item.range[0]);
        node = item;
      } else if (pair) {
        const at = pair.key?.range?.[0] ?? pair.value?.range?.[0];
        if (at !== undefined) line = lineAt(at);
        node = pair.value;
      } else {
        break;
      }
    }
    return line;
  };
}

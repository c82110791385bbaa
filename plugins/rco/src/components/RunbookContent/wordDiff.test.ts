import { RunbookDiffLine } from '@helix-portal/plugin-rco-common';
import { diffBlocks } from './wordDiff';

const u = (text: string): RunbookDiffLine => ({ type: 'unchanged', text });
const a = (text: string): RunbookDiffLine => ({ type: 'added', text });
const r = (text: string): RunbookDiffLine => ({ type: 'removed', text });

describe('diffBlocks (runbook compare view)', () => {
  it('turns a replaced line into a word diff: only the changed words are marked', () => {
    expect(
      diffBlocks([r('| RTO | 30 minutes |'), a('| RTO | 15 minutes |')]),
    ).toEqual([
      {
        kind: 'words',
        parts: [
          { type: 'unchanged', text: '| RTO | ' },
          { type: 'removed', text: '30' },
          { type: 'added', text: '15' },
          { type: 'unchanged', text: ' minutes |' },
        ],
      },
    ]);
  });

  it('keeps lines only added or only removed whole', () => {
    expect(diffBlocks([u('a'), a('b'), a('c')])).toEqual([
      { kind: 'context', text: 'a' },
      { kind: 'lines', type: 'added', lines: ['b', 'c'] },
    ]);
    expect(diffBlocks([r('gone')])).toEqual([
      { kind: 'lines', type: 'removed', lines: ['gone'] },
    ]);
  });

  it('shows two unchanged lines around each change and folds the rest into gaps', () => {
    const lines = [
      ...Array.from({ length: 10 }, (_, i) => u(`before ${i}`)),
      a('new'),
      ...Array.from({ length: 10 }, (_, i) => u(`after ${i}`)),
    ];
    expect(diffBlocks(lines)).toEqual([
      { kind: 'gap', lines: 8 },
      { kind: 'context', text: 'before 8' },
      { kind: 'context', text: 'before 9' },
      { kind: 'lines', type: 'added', lines: ['new'] },
      { kind: 'context', text: 'after 0' },
      { kind: 'context', text: 'after 1' },
      { kind: 'gap', lines: 8 },
    ]);
  });

  it('shows a rewritten passage as whole removed and added lines, not interleaved words', () => {
    expect(
      diffBlocks([
        r(
          'The recovery time objective is to be agreed between PO and Platform.',
        ),
        a('| Target | Value | Meaning |'),
      ]),
    ).toEqual([
      {
        kind: 'lines',
        type: 'removed',
        lines: [
          'The recovery time objective is to be agreed between PO and Platform.',
        ],
      },
      { kind: 'lines', type: 'added', lines: ['| Target | Value | Meaning |'] },
    ]);
  });

  it('shows a single unchanged line instead of folding it', () => {
    expect(diffBlocks([u('a'), u('b'), u('c'), a('new')])).toEqual([
      { kind: 'context', text: 'a' },
      { kind: 'context', text: 'b' },
      { kind: 'context', text: 'c' },
      { kind: 'lines', type: 'added', lines: ['new'] },
    ]);
  });

  it('treats an addition followed by a removal as two changes, not one replacement', () => {
    expect(diffBlocks([a('x'), r('y')]).map(b => b.kind)).toEqual([
      'lines',
      'lines',
    ]);
  });
});

import { FakeCollector } from '../__testUtils__/fakeCollector';
import { uniqueCollectors } from './createCollection';

describe('uniqueCollectors', () => {
  it('refuses two collectors with one id (whose objects would they be?)', () => {
    expect(() =>
      uniqueCollectors([
        new FakeCollector('kubernetes'),
        new FakeCollector('kubernetes'),
      ]),
    ).toThrow('Two evidence collectors have the id "kubernetes"');
  });

  it('refuses a source other than cluster or monitoring', () => {
    const ci = Object.assign(new FakeCollector('ci-ish'), { source: 'ci' });
    expect(() => uniqueCollectors([ci as any])).toThrow(
      /use cluster or monitoring/,
    );
  });

  it('keeps distinct collectors in order', () => {
    const a = new FakeCollector('a');
    const b = new FakeCollector('b');
    expect(uniqueCollectors([a, b])).toEqual([a, b]);
  });
});

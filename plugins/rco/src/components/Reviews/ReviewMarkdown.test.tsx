import { render } from '@testing-library/react';
import { portalImage, ReviewMarkdown } from './ReviewMarkdown';

// Addresses that parse as another origin (or none) however they are spelled, and markup that
// could make a reader's browser fetch from elsewhere (found by an adversarial review).
const o = 'http://localhost';
describe('images in reviews come from the portal only', () => {
  it("keeps the portal's own images", () => {
    expect(portalImage('/api/rco/graph.png', o)).toBe('/api/rco/graph.png');
    expect(portalImage('http://localhost/x.png', o)).toBe(
      'http://localhost/x.png',
    );
  });

  it.each([
    'HTTPS://evil.example/x.png',
    '/\\evil.example/x.png',
    '\\\\evil.example/x.png',
    'https:/evil.example/x.png',
    'https:evil.example/x.png',
    ' //evil.example/x.png',
    '/\t/evil.example/x.png',
    '/\n/evil.example/x.png',
    'http://localhost@evil.example/x.png',
    'http://localhost.evil.example/x.png',
    'http://localhost:8080/x.png',
    // eslint-disable-next-line no-script-url
    'javascript:alert(1)',
    'data:image/png;base64,AA',
    'blob:http://localhost/123',
  ])('%j is not shown', src => {
    expect(portalImage(src, o)).toBe('');
  });
  it('renders none of the outside images, whatever the markup', () => {
    const md = [
      '<img src="&#104;ttps://evil.example/a.png" alt="ent">',
      '<img srcset="https://evil.example/b.png 1x" src="/ok.png" alt="srcset">',
      '<picture><source srcset="https://evil.example/c.png"><img src="/ok.png" alt="pic"></picture>',
      '<svg><image href="https://evil.example/d.png"/></svg>',
      '<input type="image" src="https://evil.example/e.png">',
      '<div style="background:url(https://evil.example/f.png)">css</div>',
      '![ref][r]',
      '',
      '[r]: https://evil.example/g.png',
      '',
      '<https://evil.example/h.png>',
      '<video poster="https://evil.example/i.png"></video>',
      '<img src="/\\evil.example/j.png" alt="bs">',
      '<img src="/&#9;/evil.example/k.png" alt="tab">',
      '<img longdesc="https://evil.example/l" src="/ok.png" alt="ld">',
    ].join('\n');
    const { container } = render(<ReviewMarkdown content={md} />);
    const fetching = [...container.querySelectorAll('*')].flatMap(el =>
      ['src', 'srcset', 'href', 'poster', 'style', 'xlink:href']
        .filter(a => el.tagName !== 'A' || a !== 'href')
        .map(a => el.getAttribute(a) ?? '')
        .filter(v => /evil/i.test(v))
        .map(v => `${el.tagName} ${v}`),
    );
    expect(fetching).toEqual([]);
  });
});

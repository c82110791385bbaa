import { useEffect } from 'react';

/** How long a deep link keeps its section in place while the page above it settles. */
const SETTLE_MS = 2500;
/** How long to wait for the section to appear before giving up. */
const APPEAR_MS = 10_000;

/**
 * Brings the element the URL's fragment names (`#section-…`) into view and focuses it, once it
 * is rendered. Called by the component that renders the sections, so it runs after the content
 * has loaded, not when the route first matches (on a fresh load the runbook, the versions and the
 * entity page around it arrive one after the other, and a scroll made before the section exists
 * goes nowhere).
 *
 * The page keeps moving after the first scroll (the entity header, tables and markdown above
 * the section take their height late), so for a short while the section is brought back into
 * view whenever it drifts, until the reader scrolls, types or clicks themselves. Focus moves to
 * the section (without scrolling again) so a screen reader starts reading there.
 */
export function useSectionFromHash(hash: string, ready: boolean) {
  useEffect(() => {
    if (!ready || !hash || hash === '#') return undefined;
    let id: string;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch {
      return undefined; // a malformed fragment names no section
    }
    let stopped = false;
    let placedTop: number | undefined;
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    let observer: MutationObserver | undefined;

    const stop = () => {
      stopped = true;
      observer?.disconnect();
      timers.forEach(t => clearTimeout(t));
      window.removeEventListener('wheel', stop);
      window.removeEventListener('touchstart', stop);
      window.removeEventListener('keydown', stop);
      window.removeEventListener('mousedown', stop);
    };

    const scroll = (el: HTMLElement) => {
      el.scrollIntoView?.({ block: 'start' });
      placedTop = el.getBoundingClientRect().top;
    };

    // Re-places the section while the layout above it settles.
    const settle = (el: HTMLElement, until: number) => {
      if (stopped || Date.now() > until) return;
      if (
        placedTop !== undefined &&
        Math.abs(el.getBoundingClientRect().top - placedTop) > 4
      ) {
        scroll(el);
      }
      timers.push(setTimeout(() => settle(el, until), 100));
    };

    const place = () => {
      const el = document.getElementById(id);
      if (!el) return false;
      observer?.disconnect();
      scroll(el);
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
      el.focus({ preventScroll: true });
      window.addEventListener('wheel', stop, { passive: true });
      window.addEventListener('touchstart', stop, { passive: true });
      window.addEventListener('keydown', stop);
      window.addEventListener('mousedown', stop);
      settle(el, Date.now() + SETTLE_MS);
      return true;
    };

    if (!place()) {
      observer = new MutationObserver(() => {
        if (!stopped) place();
      });
      observer.observe(document.body, { childList: true, subtree: true });
      timers.push(setTimeout(stop, APPEAR_MS));
    }
    return stop;
  }, [hash, ready]);
}

import { MarkdownContent } from '@backstage/core-components';

/**
 * The image address a review may show: one of the portal's own, or none. Every reader's browser
 * fetches an image as the review is shown, so an image from elsewhere tells its author who read
 * the review and when (a tracking pixel), and its address can carry what the page says.
 */
export function portalImage(
  src: string,
  origin: string = window.location.origin,
): string {
  try {
    const url = new URL(src, `${origin}/`);
    return url.origin === origin && /^https?:$/.test(url.protocol) ? src : '';
  } catch {
    return '';
  }
}

/** Markdown people wrote in the console (reviews), shown without images from elsewhere. */
export function ReviewMarkdown(props: { content: string }) {
  return (
    <MarkdownContent
      content={props.content}
      dialect="gfm"
      transformImageUri={src => portalImage(src)}
    />
  );
}

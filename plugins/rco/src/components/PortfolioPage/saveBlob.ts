/**
 * Saves a fetched file under a name. The export is fetched (so it carries the user's token like
 * every other request) and handed to the browser as an object URL, which a plain link could not
 * do.
 */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own reference to the blob; the URL only needs to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

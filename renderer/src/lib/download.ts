/**
 * Saves text as a file through a temporary <a download>: works in browser mode and in the desktop app
 * (Electron shows its save dialog for it).
 */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked later: the download may still be reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

import { API_BASE } from '../api/client';

/** The attachment's bytes (the browser sends the session cookie). */
export async function fetchAttachment(id: string, signal?: AbortSignal): Promise<Blob> {
  const response = await fetch(`${API_BASE}/attachments/${encodeURIComponent(id)}`, { credentials: 'same-origin', signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

/** Attachments are fetched as a blob (an API call of the session), then handed to the browser as a download. */
export async function downloadAttachment(id: string, fileName: string): Promise<void> {
  const url = URL.createObjectURL(await fetchAttachment(id));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file the API generates (GET, the session cookie), handed to the browser under the name the server gives. */
export async function downloadFromApi(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(`${API_BASE}${path}`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

import { API_BASE } from '../api/client';
import { sessionStore } from '../session/session-store';

/** The attachment's bytes, with the session's token. */
export async function fetchAttachment(id: string, signal?: AbortSignal): Promise<Blob> {
  const token = sessionStore.get()?.token;
  const response = await fetch(`${API_BASE}/attachments/${encodeURIComponent(id)}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

/** Attachments need the bearer token: fetched as a blob, then handed to the browser as a download. */
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

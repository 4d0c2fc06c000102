/**
 * Code that runs inside the benchmarked pages (serialized by Playwright: self-contained, no
 * imports). The probe wraps `WebSocket` before any page script runs, so its `message` listener
 * comes before socket.io's own: a frame's timestamp is taken when the page starts handling it.
 */

export interface ProbeSample {
  /** performance.now() of each frame that carried the marker, in order, with its event name. */
  frames: { at: number; event: string }[];
  /** performance.now() when `selector` first matched an element holding the marker. */
  visibleAt: number;
}

export interface Probe {
  /** Starts watching for `marker`: frames that carry it, and the DOM until `selector` shows it. */
  arm(marker: string, selector: string): void;
  /** The armed sample, once the row is in the DOM (rejects after `timeoutMs`). */
  result(timeoutMs: number): Promise<ProbeSample>;
}

declare global {
  interface Window {
    __guichetBenchProbe?: Probe;
  }
}

/** Installed with page.addInitScript(installProbe). */
export function installProbe(): void {
  const Native = window.WebSocket;
  let marker = '';
  let frames: ProbeSample['frames'] = [];
  let pending: Promise<ProbeSample> | null = null;

  class ProbedWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        if (!marker || typeof event.data !== 'string' || !event.data.includes(marker)) return;
        frames.push({ at: performance.now(), event: /^\d+\["([^"]+)"/.exec(event.data)?.[1] ?? '?' });
      });
    }
  }
  window.WebSocket = ProbedWebSocket;

  window.__guichetBenchProbe = {
    arm(nextMarker, selector) {
      marker = nextMarker;
      frames = [];
      pending = new Promise<ProbeSample>((resolve) => {
        const shows = () => document.querySelector(selector)?.textContent?.includes(nextMarker) === true;
        const observer = new MutationObserver(() => {
          if (!shows()) return;
          const visibleAt = performance.now();
          observer.disconnect();
          resolve({ frames, visibleAt });
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    },
    result(timeoutMs) {
      if (!pending) return Promise.reject(new Error('probe not armed'));
      const armed = pending;
      return new Promise<ProbeSample>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`row not at the top after ${timeoutMs} ms (${frames.length} frame(s) seen)`)),
          timeoutMs,
        );
        void armed.then((sample) => {
          clearTimeout(timer);
          resolve(sample);
        });
      });
    },
  };
}

export interface BaselineRow {
  id: string;
  text: string;
}

/**
 * The baseline page: the same agent's socket with no socket.io client, React nor react-query
 * (engine.io v4 / socket.io v5 frames read by hand), and the same rows as plain `<li>`s. On
 * `conversation.updated` it rewrites the conversation's row and moves it to the top.
 */
export function startBaselinePage(args: { token: string; rows: BaselineRow[] }): Promise<void> {
  const list = document.createElement('ul');
  list.id = 'rows';
  const byId = new Map<string, HTMLLIElement>();
  for (const row of args.rows) {
    const li = document.createElement('li');
    li.textContent = row.text;
    byId.set(row.id, li);
    list.append(li);
  }
  document.body.append(list);

  const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  return new Promise<void>((resolve, reject) => {
    ws.onerror = () => reject(new Error(`baseline socket error (${ws.url})`));
    ws.onclose = (event) => reject(new Error(`baseline socket closed: ${event.code} ${event.reason}`));
    ws.onmessage = (event: MessageEvent) => {
      const data = String(event.data);
      if (data === '2') return ws.send('3'); // engine.io ping
      if (data.startsWith('0')) return ws.send(`40${JSON.stringify({ token: args.token })}`); // socket.io CONNECT
      if (data.startsWith('40')) return resolve();
      if (data.startsWith('44')) return reject(new Error(`baseline socket refused: ${data}`));
      if (!data.startsWith('42')) return;
      const [name, payload] = JSON.parse(data.slice(2)) as [
        string,
        { id: string; subject: string | null; snippet: string | null; contact?: { name?: string | null } },
      ];
      if (name !== 'conversation.updated' && name !== 'conversation.created') return;
      let li = byId.get(payload.id);
      if (!li) {
        li = document.createElement('li');
        byId.set(payload.id, li);
      }
      li.textContent = `${payload.contact?.name ?? ''} — ${payload.subject ?? ''} — ${payload.snippet ?? ''}`;
      list.prepend(li);
    };
  });
}

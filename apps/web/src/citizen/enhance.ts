/**
 * What the citizen pages' script adds to the HTML the API renders (they work without it): the
 * request form and the reply form are checked before anything is sent, so a citizen on a slow
 * connection does not upload files to learn that a field is missing; a form sends once; the
 * tracking page refreshes its exchange while it is open. The words come from the page itself
 * (data-* attributes written by the server), so this script carries none.
 */

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

interface FieldError {
  /** The control the error is about (the summary links to it). */
  control: Control;
  /** Error element id, as the server names it (err-<field>). */
  id: string;
  message: string;
  /** For a group's error: it goes at the end of the group (else right after the control). */
  group?: HTMLFieldSetElement;
}

function errorElement(id: string, message: string, alert = false): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'form-error';
  p.id = id;
  if (alert) p.setAttribute('role', 'alert');
  p.textContent = message;
  return p;
}

/** Marks `control` invalid, described by its hint (if any) and the error. */
function markInvalid(control: Control, errorId: string): void {
  const hint = control.dataset.hint;
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', hint ? `${hint} ${errorId}` : errorId);
}

function clearInvalid(control: Control): void {
  control.removeAttribute('aria-invalid');
  const hint = control.dataset.hint;
  if (hint) control.setAttribute('aria-describedby', hint);
  else control.removeAttribute('aria-describedby');
}

/** A sending form keeps its button busy and ignores another submit (until the page is left). */
function sendOnce(form: HTMLFormElement): { sending(): boolean; start(): void } {
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"][data-sending]');
  const label = button?.textContent ?? '';
  let sending = false;
  // Coming back with the browser's back button shows the page as it was left: ready again.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted || !button) return;
    sending = false;
    button.textContent = label;
    button.removeAttribute('aria-disabled');
  });
  return {
    sending: () => sending,
    start() {
      sending = true;
      if (!button) return;
      button.textContent = button.dataset.sending ?? label;
      button.setAttribute('aria-disabled', 'true');
    },
  };
}

const fieldOf = (control: Control) => control.id.replace(/^field-/, '');

/**
 * A list that depends on another (the démarches of the chosen service): only the options of the
 * chosen service are offered; a choice of another service is cleared. Without the script, every
 * service's démarches are listed by service and the server checks the pair.
 */
export function filterDependentSelects(form: HTMLFormElement): void {
  for (const select of form.querySelectorAll<HTMLSelectElement>('select[data-filter-by]')) {
    const by = document.getElementById(select.dataset.filterBy!) as HTMLSelectElement | null;
    if (!by) continue;
    const apply = () => {
      for (const group of select.querySelectorAll<HTMLOptGroupElement>('optgroup[data-team]')) {
        const shown = !by.value || group.dataset.team === by.value;
        group.hidden = !shown;
        group.disabled = !shown;
      }
      const chosen = select.selectedOptions[0];
      if (chosen?.parentElement instanceof HTMLOptGroupElement && chosen.parentElement.disabled) select.value = '';
    };
    by.addEventListener('change', apply);
    apply();
  }
}

/** `/demandes/:slug`: missing fields and too many or too big files are told before sending. */
export function enhanceRequestForm(form: HTMLFormElement): void {
  form.noValidate = true;
  filterDependentSelects(form);
  const summary = document.getElementById('form-errors');
  const once = sendOnce(form);
  const controls = [...form.querySelectorAll<Control>('input, select, textarea')].filter((c) => c.id.startsWith('field-'));
  for (const c of controls) {
    const described = c.getAttribute('aria-describedby');
    // A hint stays in the description; the server's own error does not.
    if (described && !described.startsWith('err-'))
      c.dataset.hint = described
        .split(' ')
        .filter((id) => !id.startsWith('err-'))
        .join(' ');
  }

  function check(): FieldError[] {
    const errors: FieldError[] = [];
    for (const control of controls) {
      if (control.dataset.missing && !control.value.trim()) {
        errors.push({ control, id: `err-${fieldOf(control)}`, message: control.dataset.missing });
      }
    }
    // "At least one of the two": a group with its own message, on its first field.
    for (const group of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-missing]')) {
      const inputs = [...group.querySelectorAll<HTMLInputElement>('input')];
      if (inputs.length && inputs.every((i) => !i.value.trim())) {
        errors.push({
          control: inputs[0]!,
          id: `err-${group.dataset.errorFor ?? fieldOf(inputs[0]!)}`,
          message: group.dataset.missing!,
          group,
        });
      }
    }
    const files = form.querySelector<HTMLInputElement>('input[type="file"][data-max-files]');
    const chosen = [...(files?.files ?? [])].filter((f) => f.size > 0);
    if (files && chosen.length > Number(files.dataset.maxFiles)) {
      errors.push({ control: files, id: `err-${fieldOf(files)}`, message: files.dataset.tooMany ?? '' });
    } else if (files && chosen.some((f) => f.size > Number(files.dataset.maxBytes))) {
      errors.push({ control: files, id: `err-${fieldOf(files)}`, message: files.dataset.tooBig ?? '' });
    }
    // In the order of the page.
    return errors.sort((a, b) => (a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  }

  function show(errors: FieldError[]): void {
    for (const old of form.querySelectorAll('.form-error[id^="err-"]')) old.remove();
    for (const c of controls) clearInvalid(c);
    for (const e of errors) {
      markInvalid(e.control, e.id);
      if (e.group) e.group.append(errorElement(e.id, e.message));
      else e.control.after(errorElement(e.id, e.message));
    }
    if (!summary) return;
    if (!errors.length) {
      summary.removeAttribute('class');
      summary.removeAttribute('role');
      summary.replaceChildren();
      return;
    }
    const title = document.createElement('p');
    title.className = 'public-errors__title';
    const count = String(errors.length);
    title.textContent = ((errors.length === 1 ? form.dataset.summaryOne : form.dataset.summaryOther) ?? '').replace(
      '{{count}}',
      count,
    );
    const list = document.createElement('ul');
    for (const e of errors) {
      const link = document.createElement('a');
      link.href = `#${e.control.id}`;
      link.textContent = e.message;
      const item = document.createElement('li');
      item.append(link);
      list.append(item);
    }
    summary.className = 'public-errors';
    summary.setAttribute('role', 'alert');
    summary.replaceChildren(title, list);
  }

  form.addEventListener('submit', (event) => {
    if (once.sending()) {
      event.preventDefault();
      return;
    }
    const errors = check();
    if (errors.length) {
      event.preventDefault();
      show(errors);
      summary?.focus();
      return;
    }
    // Sent by the browser itself: the answer is a page (the reference, or the server's errors).
    once.start();
  });

  // A corrected field loses its error at once (e-mail and phone share the group's).
  form.addEventListener('input', (event) => {
    const control = event.target as Control;
    if (!controls.includes(control) || control.getAttribute('aria-invalid') !== 'true') return;
    const ids = [`err-${fieldOf(control)}`];
    const group = control.closest<HTMLFieldSetElement>('fieldset[data-error-for]');
    if (group) ids.push(`err-${group.dataset.errorFor}`);
    for (const id of ids) document.getElementById(id)?.remove();
    for (const c of group ? [...group.querySelectorAll<HTMLInputElement>('input')] : [control]) clearInvalid(c);
  });
}

/** The tracking page's reply form: an empty answer is told before sending. */
export function enhanceReplyForm(form: HTMLFormElement): void {
  form.noValidate = true;
  const once = sendOnce(form);
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea[data-missing]');
  form.addEventListener('submit', (event) => {
    if (once.sending()) {
      event.preventDefault();
      return;
    }
    if (textarea && !textarea.value.trim()) {
      event.preventDefault();
      document.getElementById('tracking-error')?.remove();
      textarea.after(errorElement('tracking-error', textarea.dataset.missing ?? '', true));
      markInvalid(textarea, 'tracking-error');
      textarea.focus();
      return;
    }
    once.start();
  });
  textarea?.addEventListener('input', () => {
    if (textarea.getAttribute('aria-invalid') !== 'true') return;
    document.getElementById('tracking-error')?.remove();
    clearInvalid(textarea);
  });
}

/**
 * The tracking page's parts marked `data-live` (the facts, the exchange) are fetched again every
 * `intervalMs` while the page is visible, so an answer from the town hall shows without reloading;
 * the reply being written is left alone.
 */
export function refreshLiveParts(intervalMs: number): void {
  if (!document.querySelector('[data-live][id]')) return;
  const refresh = async () => {
    if (document.visibilityState !== 'visible') return;
    try {
      const response = await fetch(window.location.pathname + window.location.search, {
        headers: { Accept: 'text/html' },
        credentials: 'same-origin',
      });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const current of document.querySelectorAll<HTMLElement>('[data-live][id]')) {
        const fresh = next.getElementById(current.id);
        // Children replaced, the element kept: a live region announces what was added.
        if (fresh && fresh.innerHTML !== current.innerHTML)
          current.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
      }
    } catch {
      // Offline for a moment: the next round tries again.
    }
  };
  window.setInterval(() => void refresh(), intervalMs);
}

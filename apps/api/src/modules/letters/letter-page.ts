import { addressLines, civilDateAt, formatFrenchLongDate, type AcknowledgementKind } from '@guichet/contracts';
import { html, type SafeHtml } from '../../common/html';

/** A letter of the town hall as it is printed: letterhead, addressee, date, reference, object, text, signature. */
export interface PrintableLetter {
  organization: string;
  service: { name: string; address: string; phone: string; email: string };
  recipient: { name: string; address: string } | null;
  reference: string;
  /** When it was written (its date on paper). */
  writtenAt: Date;
  object: string;
  /** Its text, the signature after the « -- » line (L111-2: the agent's identity). */
  body: string;
  /** Posted already (« envoyé par courrier »): a copy is printed, marked so on screen. */
  postedAt: string | null;
}

/** On paper there is no accusé d'enregistrement (L112-11 is electronic): the first letter of a request without its démarche acknowledges the letter. */
const OBJECTS: Record<AcknowledgementKind, string> = {
  registration: 'Accusé de réception de votre courrier',
  receipt: 'Accusé de réception de votre demande',
  correction: 'Accusé de réception rectificatif de votre demande',
};

/** The « Objet » line: the acknowledgement it is, else an answer to the letter (or the file's subject). */
export function letterObject(v: {
  acknowledgement: AcknowledgementKind | null;
  subject: string | null;
  receivedOn: string | null;
}): string {
  if (v.acknowledgement) return OBJECTS[v.acknowledgement];
  const about = v.subject?.trim();
  if (v.receivedOn) return `Votre courrier du ${formatFrenchLongDate(v.receivedOn)}${about ? ` : ${about}` : ''}`;
  return about || 'Votre demande';
}

const paragraphs = (text: string): SafeHtml[] =>
  text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => html`<p>${p.split('\n').map((line, i) => (i ? [html`<br>`, line] : line))}</p>`);

/** Lines of an address block (empty lines dropped). */
const lines = (parts: (string | undefined)[]): SafeHtml[] =>
  parts.flatMap((p) => (p ? addressLines(p) : [])).map((l) => html`<span>${l}</span>`);

/**
 * The printable page (A4, the addressee where a window envelope shows it). No script: the agent
 * prints it from the browser (Ctrl+P); on screen a note says so, and whether it was posted.
 */
export function letterPage(l: PrintableLetter): string {
  const [text, signature] = splitSignature(l.body);
  const contact = [l.service.phone && `Tél. ${l.service.phone}`, l.service.email].filter(Boolean).join(' · ');
  const page = html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Courrier ${l.reference} — ${l.object}</title>
<style>
  @page { size: A4; margin: 20mm 20mm 20mm 25mm; }
  body { font: 11pt/1.45 Georgia, 'Times New Roman', serif; color: #111; margin: 0; }
  main { max-width: 165mm; margin: 0 auto; padding: 12mm 0; }
  .screen-note { font: 14px/1.4 system-ui, sans-serif; background: #eef3fb; border: 1px solid #9db3d8; padding: 10px 14px; margin: 0 0 18px; }
  .letterhead { display: flex; flex-direction: column; }
  .letterhead strong { font-size: 13pt; }
  .addressee { display: flex; flex-direction: column; margin: 18mm 0 12mm 90mm; min-height: 25mm; }
  .date { text-align: right; margin: 0 0 8mm; }
  .facts p { margin: 0; }
  .body { margin-top: 8mm; }
  .signature { margin: 10mm 0 0 90mm; white-space: pre-line; }
  @media print { .screen-note { display: none; } main { padding: 0; } }
</style>
</head>
<body>
<main>
  <p class="screen-note" role="note">${
    l.postedAt
      ? `Copie d’un courrier posté le ${formatFrenchLongDate(civilDateAt(new Date(l.postedAt)))}.`
      : 'Imprimez ce courrier (Ctrl+P), mettez-le sous enveloppe à fenêtre, postez-le, puis marquez-le « posté » dans Guichet.'
  }</p>
  <header class="letterhead" aria-label="Expéditeur">
    <strong>${l.organization}</strong>
    <span>${l.service.name}</span>
    ${lines([l.service.address])}
    ${contact ? html`<span>${contact}</span>` : ''}
  </header>
  <address class="addressee" aria-label="Destinataire">
    ${l.recipient ? [html`<span>${l.recipient.name}</span>`, lines([l.recipient.address])] : ''}
  </address>
  <p class="date">Le ${formatFrenchLongDate(civilDateAt(l.writtenAt))}</p>
  <div class="facts">
    <p><strong>Référence :</strong> ${l.reference}</p>
    <p><strong>Objet :</strong> ${l.object}</p>
  </div>
  <div class="body">${paragraphs(text)}</div>
  ${signature ? html`<p class="signature">${signature}</p>` : ''}
</main>
</body>
</html>
`;
  return page.value;
}

/** The text and the signature that follows the « -- » line (signedBody), if any. */
export function splitSignature(body: string): [string, string | null] {
  const at = body.lastIndexOf('\n-- \n');
  return at < 0 ? [body, null] : [body.slice(0, at), body.slice(at + 5).trim() || null];
}

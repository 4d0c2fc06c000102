// The citizen pages' entry (citizen.html): their stylesheet and a few kB of script over the HTML
// the API renders. No React, no agent code: the pages work without it (see ./enhance.ts).
import '../styles/public.css';
import { enhanceReplyForm, enhanceRequestForm, refreshLiveParts } from './enhance';

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-enhance="request"]')) enhanceRequestForm(form);
for (const form of document.querySelectorAll<HTMLFormElement>('form[data-enhance="reply"]')) enhanceReplyForm(form);
refreshLiveParts(20_000);

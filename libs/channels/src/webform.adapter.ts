import type { ChannelAdapter, SendResult } from './adapter';

/**
 * The citizen request form has no provider to call: a reply is published on the citizen's
 * tracking page (`/suivi/:reference`) as soon as it is stored. « Envoyé », not « Distribué »: no
 * one confirmed the citizen read it (the notices by e-mail or SMS tell them it is there, and only
 * the SMS provider reports a delivery).
 */
export const webformAdapter: ChannelAdapter = {
  kind: 'webform',
  // Publishing on the tracking page is the stored reply itself: doing it again changes nothing.
  interrupted: 'resend',
  async send(): Promise<SendResult> {
    return { ok: true, status: 'sent' };
  },
};

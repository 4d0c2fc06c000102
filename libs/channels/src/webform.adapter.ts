import type { ChannelAdapter, SendResult } from './adapter';

/**
 * The citizen request form has no provider to call: a reply is published on the citizen's
 * tracking page (`/suivi/:reference`) as soon as it is stored, so sending it is immediate.
 */
export const webformAdapter: ChannelAdapter = {
  kind: 'webform',
  async send(): Promise<SendResult> {
    return { ok: true, status: 'delivered' };
  },
};

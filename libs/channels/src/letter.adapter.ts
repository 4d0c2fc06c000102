import type { ChannelAdapter, SendResult } from './adapter';

/**
 * Paper mail has no provider: a reply on a letter channel is a printable letter that an agent
 * prints and posts, then marks posted (CHANNEL_CAPABILITIES.letter.postal). Nothing queues it for
 * sending; were it asked to send, it refuses for good rather than pretend the letter left.
 */
export const letterAdapter: ChannelAdapter = {
  kind: 'letter',
  interrupted: 'resend',
  async send(): Promise<SendResult> {
    return {
      ok: false,
      temporary: false,
      reason: 'un courrier ne part pas par voie électronique : imprimez-le, postez-le, puis marquez-le posté',
    };
  },
};

/**
 * The words the acknowledgements' admin screen adds for paper requests, loaded with it rather than
 * in the first download: acknowledgements-section.tsx adds them to French (`addFrenchWords`).
 * `en.ts` holds their English with the rest.
 */
export const acknowledgementsFr = {
  admin: {
    acks: {
      templates: {
        paperReceipt: 'Accusé de réception (courrier papier, à imprimer)',
        paperRegistration: 'Accusé de réception sans démarche (courrier papier, à imprimer)',
      },
    },
  },
} as const;

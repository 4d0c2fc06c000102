/**
 * The words the acknowledgements' admin screen adds (its introduction, the paper texts), loaded with it rather than
 * in the first download: acknowledgements-section.tsx adds them to French (`addFrenchWords`).
 * `en.ts` holds their English with the rest.
 */
export const acknowledgementsFr = {
  admin: {
    acks: {
      intro:
        'Guichet envoie lui-même l’accusé d’enregistrement et l’accusé de réception de chaque demande électronique (articles L112-3, L112-11 et R112-5 du code des relations entre le public et l’administration), sur le canal utilisé par l’usager, une seule fois ; un accusé rectificatif si la démarche change. Pour un courrier papier enregistré par un agent, il rédige l’accusé de réception (articles L112-3 et R112-5) sous la forme d’un courrier que l’agent imprime, poste et marque comme posté ; l’usager le voit sur sa page de suivi une fois posté. Aucun accusé pour les démarches exemptées (R112-4).',
      templates: {
        paperReceipt: 'Accusé de réception (courrier papier, à imprimer)',
        paperRegistration: 'Accusé de réception sans démarche (courrier papier, à imprimer)',
      },
    },
  },
} as const;

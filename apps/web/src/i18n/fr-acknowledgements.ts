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
      mentionsAdded:
        'Mentions obligatoires absentes de ce texte, ajoutées à la fin par Guichet (articles L112-3 et R112-5) : {{list}}.',
      byType: {
        title: 'Textes propres à une démarche',
        intro:
          'Une démarche peut avoir son propre accusé de réception (pièces à fournir, délai de traitement…) : il remplace, pour cette démarche, le texte de la commune. Laissé vide, le texte de la commune s’applique. Les mentions obligatoires (date de réception, service et ses coordonnées, décision implicite et sa date, voies et délais de recours) sont toujours présentes : Guichet ajoute celles que le texte omet.',
        type: 'Démarche',
        choose: 'Choisir une démarche…',
        withOwn: '{{name}} (texte propre)',
        none: 'Aucune démarche : créez-en dans l’écran « Démarches ».',
        exempt:
          'Cette démarche est exemptée d’accusé de réception (article R112-4) : ces textes ne serviront que si l’exemption est levée.',
        empty: 'Vide : le texte de la commune s’applique.',
        fromOrganization: 'Partir du texte de la commune',
        templates: {
          receipt: 'Accusé de réception de la démarche (courriel et page de suivi)',
          short: 'Accusé de réception de la démarche (SMS, WhatsApp, Messenger)',
          paperReceipt: 'Accusé de réception de la démarche (courrier papier, à imprimer)',
        },
        preview: 'Aperçu pour « {{type}} » : {{template}}',
        save: 'Enregistrer les textes de la démarche',
        saved: 'Textes de la démarche enregistrés.',
      },
    },
  },
} as const;

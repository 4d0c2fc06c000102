/**
 * The words of a citizen's limitation (RGPD art. 18) and objection (art. 21): the banner on the
 * file and the citizen card, the grant and lift forms. Added to French (`addFrenchWords`) by
 * processing-restrictions.tsx; `en.ts` holds their English with the rest.
 */
export const restrictionsFr = {
  restriction: {
    limited:
      'Traitement limité (RGPD art. 18) depuis le {{date}}, accordé par {{name}} : ce dossier est gelé. Ses données restent conservées mais ne sont plus traitées : ni message, ni note, ni appel consigné, ni transfert. Ni fusion, ni enquête, ni rappel.',
    limitedElsewhere:
      'Traitement limité (RGPD art. 18) depuis le {{date}}, accordé par {{name}}, pour les dossiers antérieurs de l’usager. Ce dossier-ci reste traité (demande de droits, ou demande que l’usager a écrite depuis) : messages, notes et transferts y sont possibles. Ni fusion, ni enquête, ni rappel.',
    composerFrozen:
      'Ce dossier est gelé par la limitation du traitement (RGPD art. 18) : ni réponse ni note ne peuvent y être ajoutées. Répondez dans la demande de droits ; si l’usager écrit de nouveau, son message ouvre un nouveau dossier, qui sera traité.',
    composerPlaceholder: 'Dossier gelé (RGPD art. 18) : rien ne peut y être ajouté',
    callFrozen:
      'Ce dossier est gelé par la limitation du traitement (RGPD art. 18) : aucun appel ni passage à l’accueil ne peut y être consigné. Consignez-le dans la demande de droits de l’usager.',
    objected:
      'Opposition (RGPD art. 21) depuis le {{date}}, accordée par {{name}} : ni enquête de satisfaction, ni rappel d’événement.',
    reason: 'Motif : {{reason}}.',
    until: 'Prévue jusqu’au {{date}} (la levée reste à faire par un superviseur, l’usager prévenu).',
    grantHeading: 'Accorder la demande',
    grantReason: 'Motif',
    grantUntil: 'Jusqu’au (facultatif)',
    grantLimitation: 'Accorder la limitation',
    grantObjection: 'Accorder l’opposition',
    liftReason: 'Motif de la levée',
    liftLimitation: 'Lever la limitation (l’usager est prévenu)',
    liftObjection: 'Lever l’opposition',
    granted: 'Accordée : le dossier de l’usager l’indique désormais.',
    lifted: 'Levée.',
  },
};

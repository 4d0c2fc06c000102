/**
 * The words of the letter registration screen, loaded with it rather than in the first download:
 * register-letter-page.tsx adds them to French (`addFrenchWords`) before it renders. `en.ts` holds
 * their English with the rest.
 */
export const lettersFr = {
  letter: {
    title: 'Enregistrer un courrier reçu',
    intro:
      'Un courrier papier devient une demande : le délai de réponse (deux semaines) et les délais légaux courent à partir de sa date de réception. Son accusé de réception et vos réponses sont des courriers à imprimer et à poster.',
    receivedOn: 'Date de réception (cachet)',
    sender: 'Expéditeur',
    name: 'Nom et prénom',
    address: 'Adresse postale',
    addressHint: 'Comme sur l’enveloppe : rue, code postal et commune, une ligne chacun.',
    email: 'Adresse e-mail (facultatif)',
    phone: 'Téléphone (facultatif)',
    team: 'Service',
    requestType: 'Démarche (facultatif)',
    noRequestType: 'Aucune (demande simple)',
    subject: 'Objet',
    summary: 'Résumé du courrier',
    summaryHint: 'Ce que demande l’usager, en quelques phrases : le scan reste la pièce de référence.',
    scan: 'Scan du courrier (PDF, JPEG ou PNG)',
    submit: 'Enregistrer le courrier',
    saving: 'Enregistrement…',
    cancel: 'Annuler',
    noChannel: 'Aucun canal « Courrier » n’est ouvert : un administrateur doit le créer dans Administration, Canaux.',
  },
} as const;

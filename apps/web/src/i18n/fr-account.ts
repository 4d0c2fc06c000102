/**
 * The words of « Mon compte » (the agent's own name and password), loaded with the screen rather
 * than in the first download: account-page.tsx adds them to French (`addFrenchWords`) before it
 * renders. `en.ts` holds their English with the rest.
 */
export const accountFr = {
  account: {
    title: 'Mon compte',
    intro: 'Votre nom et votre mot de passe. Vous vous connectez avec l’adresse {{email}}.',
    nameTitle: 'Votre nom',
    name: 'Nom affiché',
    nameHint: 'Vos collègues le voient, et il signe vos réponses aux usagers.',
    saveName: 'Enregistrer le nom',
    nameSaved: 'Nom enregistré.',
    nameRequired: 'Saisissez votre nom.',
    passwordTitle: 'Mot de passe',
    passwordIntro:
      'Vos autres sessions sont déconnectées quand vous le changez ; celle-ci reste ouverte. Vous vous connectez par ProConnect sans mot de passe Guichet ? Demandez-en un par « Mot de passe oublié ? » sur la page de connexion.',
    current: 'Mot de passe actuel',
    savePassword: 'Changer le mot de passe',
    passwordSaved: 'Mot de passe changé. Vos autres sessions ont été déconnectées.',
    sessions: 'Voir mes sessions',
    digestTitle: 'Récapitulatif des échéances',
    digestIntro:
      'Chaque jour ouvré (ni férié ni jour de fermeture de la collectivité), un courriel liste les dossiers de vos services en retard ou à échéance sous 48 heures. Rien n’est envoyé les jours où il n’y en a aucun.',
    digestEnabled: 'Recevoir le récapitulatif par courriel',
    digestTime: 'Heure d’envoi',
    saveDigest: 'Enregistrer le récapitulatif',
    digestSaved: 'Récapitulatif enregistré.',
  },
};

import type { DemoCitizen, DemoConversation } from './demo-data.types';

/**
 * Données de démonstration de la « Ville de Démo ».
 *
 * Toutes les personnes, adresses, numéros et identifiants ci-dessous sont fictifs.
 * Les numéros de mobile sont saisis tels que les usagers les tapent (espaces, points,
 * préfixe +33…) : la normalisation E.164 est faite au moment du seed.
 */

export const DEMO_CITIZENS: DemoCitizen[] = [
  {
    key: 'nathalie-lefebvre',
    name: 'Nathalie Lefèbvre',
    email: 'nathalie.lefebvre@orange.fr',
    phone: '06 12 48 73 95',
  },
  {
    key: 'karim-benali',
    name: 'Karim Benali',
    email: 'karim.benali@gmail.com',
    phone: '07.81.22.36.44',
    whatsapp: '+33 7 81 22 36 44',
  },
  {
    key: 'mamadou-diallo',
    name: 'Mamadou Diallo',
    phone: '06 63 18 27 90',
    whatsapp: '+33 6 63 18 27 90',
  },
  {
    key: 'elodie-martin-roux',
    name: 'Élodie Martin-Roux',
    email: 'elodie.martinroux@gmail.com',
    instagram: '17841402938475612',
  },
  {
    key: 'jean-pierre-moreau',
    name: 'Jean-Pierre Moreau',
    email: 'jp.moreau@wanadoo.fr',
    phone: '06 23 45 67 12',
  },
  {
    key: 'thomas-nguyen',
    name: 'Thomas Nguyen',
    email: 'thomas.nguyen@outlook.fr',
    phone: '0645127836',
  },
  {
    key: 'fatima-el-amrani',
    name: 'Fatima El Amrani',
    phone: '07 52 41 88 19',
    whatsapp: '+33 7 52 41 88 19',
    messenger: '6512839047261534',
  },
  {
    key: 'christine-dubois',
    name: 'Christine Dubois',
    email: 'christine.dubois56@laposte.net',
  },
  {
    key: 'lucas-bernard',
    name: 'Lucas Bernard',
    email: 'lucas.bernard@gmail.com',
    instagram: '17841456320918447',
  },
  {
    key: 'monique-petit',
    name: 'Monique Petit',
    phone: '06.84.12.09.33',
  },
  {
    key: 'antoine-rousseau',
    name: 'Antoine Rousseau',
    email: 'a.rousseau@gmail.com',
    phone: '06 95 30 71 28',
  },
  {
    key: 'aicha-traore',
    name: 'Aïcha Traoré',
    email: 'aicha.traore@gmail.com',
    phone: '07 68 90 12 45',
  },
  {
    key: 'pierre-lambert',
    name: 'Pierre Lambert',
    email: 'pierre.lambert@orange.fr',
  },
  {
    key: 'camille-fontaine',
    name: 'Camille Fontaine',
    email: 'camille.fontaine@outlook.fr',
    messenger: '7234019856612047',
  },
  {
    key: 'yannick-le-goff',
    name: 'Yannick Le Goff',
    phone: '06 31 76 54 02',
  },
  {
    key: 'ines-haddad',
    name: 'Inès Haddad',
    email: 'ines.haddad@gmail.com',
    instagram: '17841409981237764',
  },
  {
    key: 'bernard-girard',
    name: 'Bernard Girard',
    email: 'bernard.girard@wanadoo.fr',
    phone: '06.47.29.83.10',
  },
  {
    key: 'marie-claire-lemoine',
    name: 'Marie-Claire Lemoine',
    email: 'mc.lemoine@free.fr',
    phone: '06 58 14 62 97',
  },
  {
    key: 'kevin-mercier',
    name: 'Kévin Mercier',
    phone: '07 77 21 43 65',
    messenger: '5893017264401928',
  },
  {
    key: 'julie-chevalier',
    name: 'Julie Chevalier',
    email: 'julie.chevalier@gmail.com',
  },
  {
    key: 'olivier-blanc',
    name: 'Olivier Blanc',
    email: 'o.blanc@laposte.net',
  },
  {
    key: 'sandrine-faure',
    name: 'Sandrine Faure',
    email: 'sandrine.faure@orange.fr',
    phone: '06 72 35 98 41',
  },
  {
    key: 'ahmed-bouzid',
    name: 'Ahmed Bouzid',
    phone: '+33 6 19 84 52 73',
    whatsapp: '+33 6 19 84 52 73',
  },
  {
    key: 'laura-perrin',
    name: 'Laura Perrin',
    email: 'laura.perrin@gmail.com',
    instagram: '17841421093347581',
  },
  {
    key: 'gerard-roche',
    name: 'Gérard Roche',
    phone: '06 26 88 40 15',
  },
  {
    key: 'nadia-bensaid',
    name: 'Nadia Bensaïd',
    email: 'nadia.bensaid@outlook.fr',
    phone: '07 59 63 20 84',
  },
  {
    key: 'francois-henry',
    name: 'François Henry',
    email: 'francois.henry@wanadoo.fr',
  },
  {
    key: 'emma-robin',
    name: 'Emma Robin',
    email: 'emma.robin@gmail.com',
    phone: '06 41 57 28 66',
  },
  {
    key: 'david-cohen',
    name: 'David Cohen',
    email: 'david.cohen@free.fr',
  },
  {
    key: 'linh-tran',
    name: 'Linh Tran',
    email: 'linh.tran@gmail.com',
    messenger: '6120984537716203',
  },
  {
    key: 'sylvie-morel',
    name: 'Sylvie Morel',
    email: 'sylvie.morel@laposte.net',
    phone: '06 17 93 25 48',
  },
  {
    key: 'maxime-gauthier',
    name: 'Maxime Gauthier',
    email: 'maxime.gauthier@outlook.fr',
    instagram: '17841433307712958',
  },
  {
    key: 'rachid-meziane',
    name: 'Rachid Meziane',
    phone: '07 83 46 11 57',
    whatsapp: '+33 7 83 46 11 57',
  },
  {
    key: 'helene-da-silva',
    name: 'Hélène Da Silva',
    email: 'helene.dasilva@laposte.net',
    phone: '06 38 72 04 91',
  },
  {
    key: 'paul-andre-vidal',
    name: 'Paul-André Vidal',
    email: 'pa.vidal@orange.fr',
  },
  {
    key: 'awa-kone',
    name: 'Awa Koné',
    phone: '06 52 09 47 36',
    messenger: '4987102356618830',
  },
  {
    key: 'stephane-marchand',
    name: 'Stéphane Marchand',
    email: 's.marchand@gmail.com',
    phone: '06 51 14 37 25',
  },
  {
    key: 'chloe-lopez',
    name: 'Chloé Lopez',
    email: 'chloe.lopez@free.fr',
  },
  {
    key: 'mohamed-cherif',
    name: 'Mohamed Chérif',
    phone: '07 56 28 93 14',
  },
  {
    key: 'isabelle-renaud',
    name: 'Isabelle Renaud',
    email: 'isabelle.renaud@orange.fr',
  },
];

export const DEMO_CONVERSATIONS: DemoConversation[] = [
  // ───────────────────────────── État civil ─────────────────────────────
  {
    citizen: 'mamadou-diallo',
    team: 'etat-civil',
    channel: 'letter',
    subject: 'Copie intégrale d’acte de naissance pour ma retraite',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 5 * 1440,
        postalAddress: '14 rue des Tilleuls\n99000 Démo',
        body:
          'Madame, Monsieur,\nJe vous prie de bien vouloir m’adresser une copie intégrale de mon acte de naissance (né le 3 mars 1958 à Démo), ' +
          'demandée par ma caisse de retraite. Je joins une enveloppe timbrée à mon adresse.\n' +
          'Veuillez agréer, Madame, Monsieur, mes salutations distinguées.\nMamadou Diallo',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 3 * 1440,
        body:
          'Monsieur,\n\nVeuillez trouver ci-joint la copie intégrale de votre acte de naissance, demandée par votre courrier.\n\n' +
          'Nous vous prions d’agréer, Monsieur, nos salutations distinguées.',
      },
    ],
  },
  {
    citizen: 'nathalie-lefebvre',
    team: 'etat-civil',
    channel: 'email',
    subject: 'Demande de copie intégrale d’acte de naissance',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 41520,
        body:
          'Bonjour,\n\n' +
          'Je suis née à Démo le 14 mars 1978 et le notaire chargé de la succession de mon père me demande une copie intégrale de mon acte de naissance.\n' +
          'Mes parents : Michel Lefèbvre et Annie Lefèbvre, née Caron.\n\n' +
          'Pourriez-vous me l’envoyer par courrier au 12 rue des Tilleuls, à Démo ? Je peux aussi passer la chercher si c’est plus simple.\n\n' +
          'Merci d’avance,\nNathalie Lefèbvre',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 41190,
        body:
          'Bonjour Madame Lefèbvre,\n\n' +
          'Nous avons bien reçu votre demande et vous présentons nos sincères condoléances.\n' +
          'La copie intégrale de votre acte de naissance vous sera adressée par courrier sous 3 à 5 jours ouvrés, à l’adresse indiquée.\n' +
          'Pour information, cette démarche est gratuite et peut aussi être faite en ligne sur service-public.fr.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 35080,
        body: 'Bonjour,\n\nBien reçu ce matin, merci beaucoup pour votre rapidité !\n\nBonne journée,\nN. Lefèbvre',
      },
    ],
  },
  {
    citizen: 'thomas-nguyen',
    team: 'etat-civil',
    channel: 'email',
    subject: 'Rendez-vous passeport – départ début juillet',
    status: 'open',
    priority: 'high',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 4310,
        body:
          'Bonjour,\n\n' +
          'Mon passeport a expiré et je dois partir au Vietnam début juillet pour le mariage de ma sœur (billets déjà pris).\n' +
          'Sur l’agenda en ligne, le premier rendez-vous disponible est dans 7 semaines, ce qui est trop tard.\n' +
          'Existe-t-il une possibilité d’avoir un créneau plus tôt ?\n\n' +
          'Cordialement,\nThomas Nguyen',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 4120,
        body:
          'Bonjour Monsieur Nguyen,\n\n' +
          'Nous comprenons l’urgence de votre situation. Pour que nous puissions vous proposer un créneau en cas de désistement, merci de :\n' +
          '- effectuer la pré-demande en ligne sur le site de l’ANTS et nous communiquer son numéro ;\n' +
          '- acheter le timbre fiscal (86 € pour un passeport adulte) ;\n' +
          '- préparer une photo d’identité de moins de 6 mois, un justificatif de domicile et votre ancien passeport.\n\n' +
          'Vous pouvez également conserver votre rendez-vous actuel et consulter les agendas des communes voisines équipées d’un dispositif de recueil.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 2905,
        body:
          'Bonjour,\n\nMerci pour votre réponse. La pré-demande est faite : n° 4K7P2XQ9RT. J’ai le timbre fiscal et les photos.\n' +
          'Je suis disponible n’importe quel jour de la semaine, même au dernier moment.\n\nThomas Nguyen',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 2860,
        body: 'Désistement possible jeudi 14h30 (Mme Garcia a annulé). Je lui propose par SMS, c’est plus rapide. Voyage justifié par billets → priorité OK.',
      },
      {
        direction: 'outbound',
        channel: 'sms',
        agent: 1,
        minutesAgo: 2840,
        body: 'Bonjour M. Nguyen, un créneau passeport s’est libéré jeudi à 14h30 en mairie. Répondez OUI pour le réserver. Service État civil – Mairie de Démo',
      },
      {
        direction: 'inbound',
        channel: 'sms',
        minutesAgo: 46,
        body: 'OUI je confirme pour jeudi 14h30, merci infiniment ! Je dois apporter l’ancien passeport aussi ?',
      },
    ],
  },
  {
    citizen: 'elodie-martin-roux',
    team: 'etat-civil',
    channel: 'email',
    subject: 'Dossier de mariage et publication des bans',
    status: 'pending',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 20110,
        body:
          'Bonjour,\n\n' +
          'Mon compagnon, Julien Besson, et moi souhaitons nous marier à la mairie de Démo le samedi 13 septembre.\n' +
          'Pourriez-vous nous indiquer la liste des pièces à fournir et la marche à suivre pour la publication des bans ?\n' +
          'Nous habitons tous les deux au 27 rue Victor-Hugo.\n\n' +
          'Merci par avance,\nÉlodie Martin-Roux',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 19830,
        body:
          'Bonjour Madame Martin-Roux,\n\n' +
          'Toutes nos félicitations ! Voici les pièces à réunir pour le dossier de mariage :\n' +
          '- le formulaire de dossier de mariage (joint à ce message) complété et signé ;\n' +
          '- une copie intégrale de l’acte de naissance de chacun, datant de moins de 3 mois ;\n' +
          '- une pièce d’identité et un justificatif de domicile pour chacun ;\n' +
          '- les informations et pièces d’identité des témoins (2 à 4).\n\n' +
          'Le dossier doit être déposé en mairie en présence des deux futurs époux, sur rendez-vous. La publication des bans dure 10 jours ; nous vous conseillons de déposer le dossier au moins 6 semaines avant la date retenue.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 12030,
        body:
          'Bonjour,\n\nMerci pour ces informations. Nous avons presque tout rassemblé. Il nous manque seulement l’acte de naissance de Julien, né à Dakar : il l’a demandé au Service central d’état civil de Nantes.\n' +
          'Pouvons-nous tout de même prendre rendez-vous pour déposer le dossier ?\n\nBelle journée,\nÉlodie',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 11520,
        body:
          'Bonjour Madame Martin-Roux,\n\n' +
          'Nous vous proposons un rendez-vous le mardi 3 juin à 10h. Nous pourrons vérifier l’ensemble des pièces ; toutefois, la publication des bans ne pourra débuter qu’à réception de l’acte de naissance de M. Besson.\n' +
          'Merci de nous le transmettre dès que vous l’aurez reçu.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 11500,
        body: 'Acte étranger (SCEC Nantes) : compter ~3 semaines. Ne pas publier les bans avant réception. Relancer si rien d’ici 15 jours.',
      },
    ],
  },
  {
    citizen: 'julie-chevalier',
    team: 'etat-civil',
    channel: 'webform',
    subject: 'PACS – prise de rendez-vous',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 1520,
        body:
          'Formulaire « Contacter la mairie »\nService concerné : État civil\nObjet : PACS\n\n' +
          'Bonjour,\nMon compagnon et moi souhaitons nous pacser en mairie. Faut-il prendre rendez-vous et quels documents devons-nous apporter ? ' +
          'Nous avons déjà rempli la convention type et la déclaration conjointe (Cerfa 15725). Est-il possible de le faire un samedi matin ?\n\n' +
          'Merci,\nJulie Chevalier',
      },
    ],
  },
  {
    citizen: 'yannick-le-goff',
    team: 'etat-civil',
    channel: 'voice',
    subject: 'Recensement citoyen de mon fils',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 0,
        minutesAgo: 26040,
        body: 'Appel manqué (hors horaires d’ouverture, 18h47). Pas de message vocal.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 184,
        agent: 1,
        minutesAgo: 25710,
        body:
          'Appel sortant : rappel de M. Le Goff. Son fils Maël a eu 16 ans le mois dernier. ' +
          'Explications sur le recensement citoyen (en mairie ou en ligne) ; pièces : pièce d’identité de Maël et livret de famille. L’attestation est remise sur place.',
      },
      {
        direction: 'inbound',
        channel: 'sms',
        minutesAgo: 23010,
        body: 'Bonjour, on est passés ce matin avec Maël, attestation de recensement récupérée. Merci pour votre aide. Y. Le Goff',
      },
    ],
  },
  {
    citizen: 'jean-pierre-moreau',
    team: 'etat-civil',
    channel: 'pbx',
    subject: 'Copies d’acte de décès',
    status: 'closed',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 212,
        minutesAgo: 31020,
        body:
          'Appel standard transféré à l’État civil : M. Moreau souhaite 3 copies de l’acte de décès de son épouse, Mme Josette Moreau, décédée le mois dernier à Démo. ' +
          'Envoi par courrier au 8 allée des Peupliers. Il a aussi donné son adresse e-mail.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 30950,
        body: 'Actes édités et postés ce jour. M. Moreau semble isolé : signalé au CCAS (registre des personnes vulnérables).',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 0,
        minutesAgo: 30920,
        body:
          'Bonjour Monsieur Moreau,\n\n' +
          'Comme convenu par téléphone, les trois copies de l’acte de décès de votre épouse vous ont été envoyées ce jour par courrier.\n' +
          'Pour vos démarches, vous pouvez contacter sa caisse de retraite au sujet de la pension de réversion. Le CCAS de la ville se tient également à votre disposition au 1 place de la République.\n\n' +
          'Avec nos sincères condoléances,\nLe service État civil\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'mohamed-cherif',
    team: 'etat-civil',
    channel: 'sms',
    subject: 'Retrait de carte d’identité',
    status: 'open',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 232,
        body: 'Bonjour, j’ai reçu un SMS de l’ANTS : ma carte d’identité est disponible. Je peux venir la chercher sans rdv ? Je finis à 17h30. Mohamed Chérif',
      },
    ],
  },
  {
    citizen: 'aicha-traore',
    team: 'etat-civil',
    channel: 'email',
    subject: 'Perte de carte d’identité avant un concours',
    status: 'snoozed',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 9020,
        body:
          'Bonjour,\n\n' +
          'J’ai perdu mon portefeuille dans le bus avec ma carte d’identité. Je passe un concours de la fonction publique dans un mois et il faut une pièce d’identité valide.\n' +
          'Quelles sont les démarches à faire ? Dois-je d’abord aller au commissariat ?\n\n' +
          'Merci,\nAïcha Traoré',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 8710,
        body:
          'Bonjour Madame Traoré,\n\n' +
          'Il n’est pas nécessaire de passer par le commissariat : la déclaration de perte peut être faite en ligne lors de votre pré-demande sur le site de l’ANTS, ou directement au guichet lors du rendez-vous.\n' +
          'Pièces à apporter : la pré-demande, un timbre fiscal de 25 € (renouvellement pour perte), une photo d’identité récente, un justificatif de domicile et, si possible, un autre document avec photo (permis, passeport).\n' +
          'Prenez rendez-vous dès que possible sur l’agenda en ligne de la ville ; en cas de difficulté, rappelez-nous.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 8230,
        body: 'Merci beaucoup, j’ai trouvé un rendez-vous le 24 à 9h15. La pré-demande est faite. Bonne journée !',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 8190,
        body: 'En attente jusqu’au RDV du 24 : vérifier que le dossier est complet (timbre à 25 €) et signaler l’échéance du concours pour le retrait.',
      },
    ],
  },
  {
    citizen: 'chloe-lopez',
    team: 'etat-civil',
    channel: 'email',
    subject: 'Duplicata de livret de famille',
    status: 'resolved',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 16040,
        body:
          'Bonjour,\n\n' +
          'Suite à ma séparation, mon ex-conjoint a conservé le livret de famille. J’aurais besoin d’un second livret pour les démarches de mes enfants (inscriptions, CAF…).\n' +
          'Est-ce possible et comment dois-je procéder ? Nous nous sommes mariés à Démo en 2012.\n\n' +
          'Cordialement,\nChloé Lopez',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 15820,
        body:
          'Bonjour Madame Lopez,\n\n' +
          'Oui, un second livret de famille peut être délivré en cas de séparation. La demande se fait auprès de la mairie du lieu de mariage, donc chez nous.\n' +
          'Merci de nous retourner le formulaire joint complété, accompagné d’une copie de votre pièce d’identité. Le livret sera ensuite complété par les communes de naissance de vos enfants, ce qui peut prendre quelques semaines.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 15040,
        body: 'Bonjour,\n\nVoici le formulaire complété et ma pièce d’identité en pièces jointes.\nMerci pour votre aide.\n\nChloé Lopez',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 14950,
        body:
          'Bonjour Madame Lopez,\n\nNous avons bien reçu votre dossier, il est complet. Nous vous préviendrons dès que le livret sera prêt.\n\n' +
          'Bien cordialement,\nLe service État civil\nMairie de Démo',
      },
    ],
  },

  // ───────────────────────────── Scolarité ─────────────────────────────
  {
    citizen: 'karim-benali',
    team: 'scolarite',
    channel: 'email',
    subject: 'Inscription en petite section – nouvel arrivant',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 7215,
        body:
          'Bonjour,\n\n' +
          'Nous venons d’emménager à Démo, rue Pasteur, et notre fils Yanis (né en février 2022) doit faire sa rentrée en petite section en septembre.\n' +
          'Dans quelle école sera-t-il affecté et quels documents faut-il fournir ?\n\n' +
          'Merci d’avance,\nKarim Benali',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 6920,
        body:
          'Bonjour Monsieur Benali,\n\n' +
          'Bienvenue à Démo ! La rue Pasteur dépend de l’école maternelle Les Coquelicots.\n' +
          'Pour l’inscription, merci de nous transmettre : le livret de famille (ou un acte de naissance de l’enfant), un justificatif de domicile de moins de 3 mois et le carnet de santé (pages des vaccinations).\n' +
          'Nous vous délivrerons un certificat d’inscription ; l’admission se fera ensuite auprès de la directrice de l’école, Mme Perrot.\n\n' +
          'Bien cordialement,\nLe service Scolarité\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 612,
        body:
          'Bonjour Madame,\n\nMerci pour votre réponse. Petite question : nous sommes hébergés chez mon frère en attendant la signature de notre bail. ' +
          'Une attestation d’hébergement avec sa facture d’électricité suffit-elle comme justificatif de domicile ?\n\nCordialement,\nKarim Benali',
      },
    ],
  },
  {
    citizen: 'nathalie-lefebvre',
    team: 'scolarite',
    channel: 'sms',
    subject: 'Cantine – absence de Léa',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 10110,
        body: 'Bonjour, ma fille Léa Lefèbvre (CE2, école Jean-Moulin) est malade, elle ne mangera pas à la cantine jeudi et vendredi. Peut-on décommander les repas ? Merci',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 9905,
        body: 'Bonjour Mme Lefèbvre, c’est noté : les repas de jeudi et vendredi sont décommandés et ne seront pas facturés. Bon rétablissement à Léa ! Service Scolarité',
      },
      {
        direction: 'inbound',
        minutesAgo: 9870,
        body: 'Merci beaucoup !',
      },
    ],
  },
  {
    citizen: 'fatima-el-amrani',
    team: 'scolarite',
    channel: 'whatsapp',
    subject: 'Tarifs de l’accueil du soir',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 3120,
        body: 'Bonjour, je voudrais savoir combien coûte l’accueil du soir (périscolaire) pour mes deux enfants à l’école Jean-Moulin. On m’a dit que ça dépend du quotient familial ?',
      },
      {
        direction: 'inbound',
        minutesAgo: 3114,
        body: 'Mon quotient CAF est de 640 €. Et est-ce qu’il faut payer à l’avance ou à la fin du mois ?',
      },
    ],
  },
  {
    citizen: 'aicha-traore',
    team: 'scolarite',
    channel: 'webform',
    subject: 'Inscription accueil du mercredi',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 28030,
        body:
          'Formulaire « Contacter la mairie »\nService concerné : Scolarité / périscolaire\nObjet : Inscription au centre de loisirs du mercredi\n\n' +
          'Bonjour, je souhaite inscrire ma fille Mariam (CP, école Jean-Moulin) à l’accueil de loisirs du mercredi toute la journée à partir du mois prochain. ' +
          'Je n’ai pas encore de compte sur le portail famille. Merci. Aïcha Traoré',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 0,
        minutesAgo: 27540,
        body:
          'Bonjour Madame Traoré,\n\n' +
          'Suite à votre demande sur le formulaire en ligne, nous avons créé votre compte sur le portail famille. Vous allez recevoir vos identifiants dans un e-mail séparé.\n' +
          'Une fois connectée, il vous suffit de compléter la fiche sanitaire de Mariam, de déposer votre attestation de quotient familial CAF, puis de cocher les mercredis souhaités (au plus tard le jeudi précédent).\n\n' +
          'Bien cordialement,\nLe service Scolarité\nMairie de Démo',
      },
      {
        direction: 'inbound',
        channel: 'sms',
        minutesAgo: 26880,
        body: 'Bonjour, c’est Mme Traoré. Inscription faite sur le portail famille pour Mariam, tout a fonctionné. Merci pour l’aide !',
      },
    ],
  },
  {
    citizen: 'sandrine-faure',
    team: 'scolarite',
    channel: 'email',
    subject: 'Transport scolaire – carte de bus perdue',
    status: 'pending',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 5230,
        body:
          'Bonjour,\n\n' +
          'Mon fils Hugo, en 5e au collège Albert-Camus, a perdu sa carte de transport scolaire. Le chauffeur l’a laissé monter ce matin mais nous a dit de régulariser rapidement.\n' +
          'Comment obtenir un duplicata ?\n\n' +
          'Cordialement,\nSandrine Faure',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 5010,
        body:
          'Bonjour Madame Faure,\n\n' +
          'Le transport scolaire est organisé par la Région, mais la mairie peut transmettre la demande de duplicata pour vous.\n' +
          'Merci de nous envoyer une photo d’identité récente d’Hugo (format numérique) ainsi que son numéro d’abonné s’il figure sur une ancienne facture. Des frais de duplicata de 10 € vous seront demandés par la Région.\n' +
          'En attendant, nous pouvons vous délivrer une attestation provisoire à présenter au chauffeur.\n\n' +
          'Bien cordialement,\nLe service Scolarité\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'ines-haddad',
    team: 'scolarite',
    channel: 'instagram',
    subject: 'Menus de la cantine et allergie',
    status: 'resolved',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 20530,
        body: 'Bonjour ! Où est-ce qu’on peut trouver les menus de la cantine du mois ? Mon fils est allergique à l’arachide, c’est possible d’avoir un PAI ?',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 20310,
        body:
          'Bonjour ! Les menus sont publiés chaque mois sur ville-demo.fr (rubrique « Restauration scolaire ») et affichés à l’entrée des écoles. ' +
          'Pour l’allergie, un PAI (projet d’accueil individualisé) se met en place avec le médecin scolaire et la direction de l’école. ' +
          'Écrivez-nous à scolarite@ville-demo.fr et nous vous enverrons le dossier 😊',
      },
      {
        direction: 'inbound',
        minutesAgo: 20040,
        body: 'Super, merci beaucoup 🙏',
      },
    ],
  },
  {
    citizen: 'paul-andre-vidal',
    team: 'scolarite',
    channel: 'email',
    subject: 'Demande de dérogation de secteur scolaire',
    status: 'open',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 1905,
        body:
          'Madame, Monsieur,\n\n' +
          'Notre fille Capucine entrera en CE1 à la rentrée. Notre domicile (14 chemin des Vignes) dépend de l’école Jean-Moulin, mais ce sont ses grands-parents, qui habitent à côté de l’école Jules-Ferry, qui la gardent chaque soir et le mercredi.\n' +
          'Nous souhaiterions donc solliciter une dérogation de secteur pour qu’elle soit scolarisée à Jules-Ferry.\n' +
          'Pourriez-vous nous indiquer la procédure et la date limite de dépôt ? Nous pouvons fournir une attestation des grands-parents et nos horaires de travail.\n\n' +
          'Je vous prie d’agréer, Madame, Monsieur, l’expression de mes salutations distinguées.\n' +
          'Paul-André Vidal',
      },
    ],
  },
  {
    citizen: 'mamadou-diallo',
    team: 'scolarite',
    channel: 'voice',
    subject: 'Facture de cantine – montant contesté',
    status: 'open',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 0,
        minutesAgo: 14020,
        body:
          'Appel manqué – message vocal (0:48) : « Bonjour, c’est M. Diallo, j’ai reçu une facture de cantine de 96 € alors que mes enfants n’ont mangé que deux semaines, ' +
          'ils étaient chez leur grand-mère. Merci de me rappeler. »',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 263,
        agent: 1,
        minutesAgo: 13010,
        body:
          'Appel sortant : rappel de M. Diallo. Vérification sur le portail famille : les absences d’Aminata et Ibrahima ont bien été signalées par l’école mais non saisies en régie. ' +
          'Un avoir sera appliqué sur la prochaine facture. M. Diallo préfère être recontacté sur WhatsApp.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 12960,
        body: 'Demande d’avoir de 38,40 € (8 repas × 2 enfants × 2,40 €) transmise à la régie le jour même. À vérifier sur la facture suivante.',
      },
      {
        direction: 'inbound',
        channel: 'whatsapp',
        minutesAgo: 305,
        body: 'Bonjour, je n’ai toujours pas reçu la facture corrigée, le prélèvement est prévu lundi. C’est normal ?',
      },
    ],
  },
  {
    citizen: 'emma-robin',
    team: 'scolarite',
    channel: 'email',
    subject: 'Changement d’école en cours d’année',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 37210,
        body:
          'Bonjour,\n\n' +
          'Nous déménageons à Démo dans deux semaines (impasse des Lilas) et notre fille Zoé, en CE2, doit changer d’école en cours d’année.\n' +
          'Quelles démarches devons-nous faire auprès de la mairie ? Nous avons le certificat de radiation de son ancienne école.\n\n' +
          'Merci,\nEmma Robin',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 36890,
        body:
          'Bonjour Madame Robin,\n\n' +
          'L’impasse des Lilas dépend de l’école élémentaire Jean-Moulin. Merci de nous transmettre le certificat de radiation, un justificatif de domicile (le bail suffit) et le livret de famille : nous établirons le certificat d’inscription dans la journée.\n' +
          'Pensez aussi à créer votre compte sur le portail famille pour la cantine et le périscolaire.\n\n' +
          'Bien cordialement,\nLe service Scolarité\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 36300,
        body: 'Bonjour,\n\nVoici les documents demandés. Merci pour votre réactivité.\n\nEmma Robin',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 36120,
        body:
          'Bonjour Madame Robin,\n\nVous trouverez ci-joint le certificat d’inscription de Zoé à remettre à M. Lemaire, directeur de l’école Jean-Moulin. Bonne installation à Démo !\n\n' +
          'Bien cordialement,\nLe service Scolarité\nMairie de Démo',
      },
    ],
  },

  // ───────────────────────────── Action sociale (CCAS) ─────────────────────────────
  {
    citizen: 'monique-petit',
    team: 'action-sociale',
    channel: 'voice',
    subject: 'Portage de repas à domicile',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 311,
        minutesAgo: 39040,
        body:
          'Appel entrant : Mme Petit, 84 ans, sort d’hospitalisation (prothèse de hanche) et souhaite bénéficier du portage de repas. Vit seule au 5 impasse des Lilas. ' +
          'Sa fille Catherine peut aider pour les papiers.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 38950,
        body: 'Dossier portage envoyé par courrier. Visite à domicile à programmer. Tarif selon ressources (de 5,20 € à 9,80 € le repas).',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 145,
        agent: 0,
        minutesAgo: 36010,
        body: 'Appel sortant : confirmation du démarrage du portage lundi. Livraison du lundi au vendredi entre 10h et 12h ; les repas du week-end sont livrés le vendredi.',
      },
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 96,
        minutesAgo: 30020,
        body: 'Appel entrant : Mme Petit remercie le service, les repas lui conviennent. Demande si un régime sans sel est possible → transmis au prestataire, accord.',
      },
    ],
  },
  {
    citizen: 'fatima-el-amrani',
    team: 'action-sociale',
    channel: 'messenger',
    subject: 'Aide d’urgence – menace de coupure d’électricité',
    status: 'open',
    priority: 'high',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 2215,
        body:
          'Bonjour, je suis seule avec mes 3 enfants et j’ai reçu une lettre de coupure d’électricité pour une facture de 412 €. ' +
          'Est-ce que le CCAS peut m’aider ? Je ne sais plus quoi faire',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 2010,
        body:
          'Bonjour Madame El Amrani, nous sommes là pour vous accompagner. Une aide d’urgence peut être étudiée. ' +
          'Pouvez-vous venir au CCAS (1 place de la République) demain entre 9h et 12h, avec la facture, vos 3 derniers justificatifs de ressources et votre attestation CAF ? ' +
          'Nous allons aussi contacter votre fournisseur pour suspendre la procédure en attendant.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 1960,
        body: 'Contacter le service solidarité du fournisseur (ligne dédiée travailleurs sociaux) pour un délai. Étudier un FSL énergie en complément de l’aide CCAS.',
      },
      {
        direction: 'inbound',
        minutesAgo: 1410,
        body: 'Merci beaucoup madame. Je viendrai demain à 9h avec tous les papiers.',
      },
    ],
  },
  {
    citizen: 'ahmed-bouzid',
    team: 'action-sociale',
    channel: 'whatsapp',
    subject: 'Logement inhabitable – plafond effondré',
    status: 'open',
    priority: 'urgent',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 96,
        body:
          'Bonjour, le plafond de notre salle de bain s’est effondré cette nuit à cause d’une fuite chez le voisin du dessus. Il y a de l’eau partout et l’électricité a sauté. ' +
          'Nous sommes 4 dont un bébé de 8 mois. Le bailleur ne répond pas. On peut dormir où ce soir ?',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 84,
        body:
          'Bonjour M. Bouzid, nous avons bien reçu votre message. Êtes-vous tous en sécurité ? Une travailleuse sociale du CCAS va vous appeler dans les minutes qui viennent. ' +
          'En cas de danger immédiat, appelez le 18.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        channel: 'voice',
        callSeconds: 420,
        agent: 0,
        minutesAgo: 72,
        body:
          'Appel sortant : situation évaluée avec M. Bouzid (12 rue Pasteur, bât. B). Logement inhabitable en l’état. Mise à l’abri ce soir à la résidence hôtelière partenaire, ' +
          '2 nuits prises en charge par le CCAS. Signalement fait au bailleur Démo Habitat et au service hygiène.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 66,
        body: 'Élu de permanence prévenu. Vérifier l’assurance habitation de la famille (relogement pris en charge ?). Point avec le bailleur demain 9h.',
      },
      {
        direction: 'inbound',
        minutesAgo: 21,
        body: 'Merci infiniment madame. On est arrivés à l’hôtel avec les enfants. Le bailleur vient enfin de me rappeler, il passe demain matin.',
      },
    ],
  },
  {
    citizen: 'helene-da-silva',
    team: 'action-sociale',
    channel: 'webform',
    subject: 'Demande de logement social',
    status: 'pending',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 18040,
        body:
          'Formulaire « Contacter la mairie »\nService concerné : Action sociale / CCAS\nObjet : Logement social\n\n' +
          'Bonjour, je vis dans un T2 avec mes deux enfants (7 et 12 ans) et le loyer représente plus de la moitié de mon salaire. ' +
          'Je voudrais savoir comment déposer une demande de logement social et si je peux être accompagnée. Merci. Hélène Da Silva',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 17620,
        body:
          'Bonjour Madame Da Silva,\n\n' +
          'Vous pouvez déposer votre demande de logement social en ligne sur demande-logement-social.gouv.fr ; vous obtiendrez un numéro unique valable dans toutes les communes du département.\n' +
          'Une conseillère du CCAS peut ensuite vous recevoir pour vérifier votre dossier et vous orienter (aides au logement, Action Logement si votre employeur cotise).\n' +
          'N’hésitez pas à nous appeler pour fixer un rendez-vous.\n\n' +
          'Bien cordialement,\nLe CCAS – Action sociale\nMairie de Démo',
      },
      {
        direction: 'inbound',
        kind: 'call',
        channel: 'voice',
        callSeconds: 178,
        minutesAgo: 16010,
        body: 'Appel entrant : Mme Da Silva a créé sa demande (numéro unique reçu par courrier). Rendez-vous fixé mardi à 14h avec Mme Charpentier, conseillère logement.',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 15940,
        body:
          'Bonjour Madame Da Silva,\n\n' +
          'Nous vous confirmons votre rendez-vous mardi à 14h au CCAS. Merci d’apporter votre dernier avis d’imposition, vos 3 derniers bulletins de salaire, votre attestation CAF et votre bail actuel.\n\n' +
          'Bien cordialement,\nLe CCAS – Action sociale\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'awa-kone',
    team: 'action-sociale',
    channel: 'messenger',
    subject: 'Épicerie solidaire – conditions d’accès',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 24030,
        body: 'Bonjour, une amie m’a parlé de l’épicerie solidaire. Comment on fait pour y avoir accès ? Je travaille à temps partiel et c’est difficile en fin de mois.',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 23820,
        body:
          'Bonjour Madame Koné, l’accès à l’épicerie solidaire se fait après un entretien avec une conseillère du CCAS, qui calcule votre « reste à vivre ». ' +
          'Vous pouvez venir sans rendez-vous le lundi ou le jeudi matin avec vos justificatifs de ressources et de charges (loyer, énergie). L’accès est accordé pour 3 mois renouvelables.',
      },
      {
        direction: 'inbound',
        minutesAgo: 23510,
        body: 'D’accord merci beaucoup, je passerai jeudi.',
      },
    ],
  },
  {
    citizen: 'sylvie-morel',
    team: 'action-sociale',
    channel: 'email',
    subject: 'Téléassistance pour ma mère',
    status: 'open',
    priority: 'high',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 505,
        body:
          'Bonjour,\n\n' +
          'Ma mère, Mme Odette Morel, 89 ans, vit seule au 31 rue Pasteur. Elle est tombée deux fois ce mois-ci et n’a pas pu se relever seule la dernière fois ; c’est une voisine qui l’a trouvée.\n' +
          'La mairie propose-t-elle un service de téléassistance ? J’habite à Lyon et je ne peux pas passer la voir tous les jours.\n\n' +
          'Merci de votre aide,\nSylvie Morel\n06 17 93 25 48',
      },
    ],
  },
  {
    citizen: 'jean-pierre-moreau',
    team: 'action-sociale',
    channel: 'voice',
    subject: 'Inscription au registre des personnes vulnérables',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 140,
        minutesAgo: 29030,
        body:
          'Appel entrant : M. Moreau, 81 ans, vit seul depuis le décès de son épouse. Sa fille lui a conseillé de s’inscrire au registre des personnes vulnérables (plan canicule / grand froid). ' +
          'Inscription faite au téléphone. Intéressé par les activités du club seniors.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 28990,
        body: 'Inscrit au registre. Proposer une visite de convivialité par les bénévoles. Contact d’urgence : sa fille, Mme Carole Moreau, 06 59 21 44 70.',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 28540,
        body:
          'Bonjour Monsieur Moreau,\n\n' +
          'Suite à notre échange téléphonique, nous vous confirmons votre inscription au registre des personnes vulnérables. En cas d’alerte canicule ou grand froid, le CCAS prendra de vos nouvelles.\n' +
          'Vous trouverez ci-joint le programme du club seniors : atelier mémoire le mardi, marche douce le jeudi et repas partagé le premier dimanche du mois.\n\n' +
          'Bien cordialement,\nLe CCAS – Action sociale\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'nadia-bensaid',
    team: 'action-sociale',
    channel: 'email',
    subject: 'Dossier APA pour mon père',
    status: 'pending',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 8620,
        body:
          'Bonjour,\n\n' +
          'Mon père, 78 ans, a de plus en plus de mal à se déplacer et à faire ses courses. Son médecin nous a parlé de l’APA.\n' +
          'Le CCAS peut-il nous aider à monter le dossier ? Nous ne savons pas par où commencer.\n\n' +
          'Cordialement,\nNadia Bensaïd',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 8410,
        body:
          'Bonjour Madame Bensaïd,\n\n' +
          'L’allocation personnalisée d’autonomie (APA) est versée par le Département, mais le CCAS peut tout à fait vous aider à constituer le dossier.\n' +
          'Merci de rassembler : pièce d’identité de votre père, dernier avis d’imposition, relevé d’identité bancaire et coordonnées de son médecin traitant. ' +
          'Une fois ces documents réunis, répondez à ce message pour convenir d’un rendez-vous, éventuellement à domicile.\n\n' +
          'Bien cordialement,\nLe CCAS – Action sociale\nMairie de Démo',
      },
    ],
  },

  // ───────────────────────────── Services techniques ─────────────────────────────
  {
    citizen: 'karim-benali',
    team: 'services-techniques',
    channel: 'whatsapp',
    subject: 'Nid-de-poule avenue Jean-Jaurès',
    status: 'open',
    assignee: 0,
    priority: 'high',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 182,
        body: 'Bonjour, il y a un gros nid-de-poule devant le 42 avenue Jean-Jaurès, juste avant le passage piéton. Un scooter a failli tomber ce matin.',
      },
      {
        direction: 'inbound',
        minutesAgo: 180,
        body: '📷 Photo : trou d’environ 40 cm de large et 10 cm de profondeur, rempli d’eau, on ne le voit pas quand il pleut.',
      },
    ],
  },
  {
    citizen: 'gerard-roche',
    team: 'services-techniques',
    channel: 'voice',
    subject: 'Éclairage public en panne rue des Acacias',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 95,
        minutesAgo: 22040,
        body:
          'Appel entrant : M. Roche signale que trois lampadaires sont éteints rue des Acacias, entre le n° 10 et le n° 24, depuis 4 jours. ' +
          'La rue est très sombre, les voisins âgés n’osent plus sortir le soir.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 21950,
        body: 'Bon d’intervention EP-1187 transmis au prestataire éclairage public. Délai annoncé : 72 h.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 0,
        agent: 0,
        minutesAgo: 17130,
        body: 'Appel sortant sans réponse. Message laissé sur le répondeur de M. Roche.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 62,
        agent: 0,
        minutesAgo: 16980,
        body: 'Appel sortant : M. Roche informé que le câble d’alimentation était endommagé ; réparation effectuée hier soir, les trois lampadaires fonctionnent. Il confirme.',
      },
    ],
  },
  {
    citizen: 'bernard-girard',
    team: 'services-techniques',
    channel: 'pbx',
    subject: 'Dépôt sauvage chemin des Vignes',
    status: 'open',
    priority: 'high',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 131,
        minutesAgo: 1210,
        body:
          'Appel standard transféré aux Services techniques : M. Girard signale un dépôt sauvage (matelas, gravats, pots de peinture) à l’entrée du chemin des Vignes, près du bois. ' +
          'Présent depuis le week-end. Il enverra des photos par e-mail.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 1160,
        body: 'Équipe propreté programmée demain 8h. Pots de peinture = déchets dangereux → prévoir le bac adapté. Signalement à la police municipale pour identifier l’auteur.',
      },
      {
        direction: 'inbound',
        channel: 'email',
        minutesAgo: 402,
        body:
          'Bonjour,\n\n' +
          'Suite à mon appel de ce matin, voici les photos du dépôt. J’ai remarqué un sac contenant des courriers au nom d’une entreprise de rénovation, cela pourra peut-être aider la police municipale.\n\n' +
          'Cordialement,\nBernard Girard',
      },
    ],
  },
  {
    citizen: 'camille-fontaine',
    team: 'services-techniques',
    channel: 'messenger',
    subject: 'Arbre tombé sur la chaussée rue du Moulin',
    status: 'open',
    priority: 'urgent',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 47,
        body: 'Bonjour, un grand arbre est tombé sur la route rue du Moulin, à hauteur du petit pont, après le coup de vent. La route est complètement bloquée et des câbles pendent. Personne n’est blessé.',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 39,
        body:
          'Bonjour, merci pour votre signalement. L’équipe d’astreinte part immédiatement et la police municipale va sécuriser la zone. ' +
          'Surtout, ne vous approchez pas des câbles : nous prévenons Enedis.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 35,
        body: 'Astreinte voirie prévenue (équipe de M. Ferreira, tronçonneuse + nacelle). Enedis : intervention sous 2 h. Déviation par la rue des Écoles.',
      },
      {
        direction: 'inbound',
        minutesAgo: 12,
        body: 'Merci pour la réactivité ! Les pompiers sont aussi sur place, ils ont mis des barrières.',
      },
    ],
  },
  {
    citizen: 'francois-henry',
    team: 'services-techniques',
    channel: 'email',
    subject: 'Banc cassé square Jean-Moulin',
    status: 'resolved',
    priority: 'low',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 27050,
        body:
          'Bonjour,\n\n' +
          'Je me permets de vous signaler qu’un banc du square Jean-Moulin, celui près de l’aire de jeux, a une latte cassée avec des échardes et une vis qui dépasse.\n' +
          'Les enfants jouent autour, ce serait dommage qu’il y ait un accident.\n\n' +
          'Bien à vous,\nFrançois Henry',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 26830,
        body:
          'Bonjour Monsieur Henry,\n\n' +
          'Merci pour votre signalement. Le banc a été sécurisé ce matin (rubalise) et le remplacement des lattes est programmé dans les prochains jours par notre atelier menuiserie.\n\n' +
          'Bien cordialement,\nLes Services techniques\nMairie de Démo',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 19020,
        body:
          'Bonjour Monsieur Henry,\n\nPour information, le banc du square Jean-Moulin a été réparé et repeint. Merci encore de votre vigilance.\n\n' +
          'Bien cordialement,\nLes Services techniques\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'maxime-gauthier',
    team: 'services-techniques',
    channel: 'instagram',
    subject: 'Fuite d’eau sur le trottoir rue de la Gare',
    status: 'open',
    priority: 'urgent',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 163,
        body: 'Bonjour, il y a de l’eau qui jaillit du trottoir devant la boulangerie rue de la Gare, ça coule depuis au moins une heure et ça part dans la rue !',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 151,
        body: 'Bonjour, merci beaucoup pour l’alerte ! Nous prévenons immédiatement le service des eaux pour une intervention d’urgence et une équipe vient baliser le trottoir.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 148,
        body: 'Service des eaux appelé (astreinte) : rupture de branchement probable. Coupure d’eau possible pour les n° 2 à 18. Prévenir le standard en cas d’appels.',
      },
      {
        direction: 'inbound',
        minutesAgo: 19,
        body: 'L’eau coule toujours et ça commence à geler sur la chaussée avec la nuit… Quelqu’un va venir ce soir ?',
      },
    ],
  },
  {
    citizen: 'pierre-lambert',
    team: 'services-techniques',
    channel: 'email',
    subject: 'Racines qui soulèvent le trottoir allée des Peupliers',
    status: 'open',
    priority: 'low',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 2710,
        body:
          'Bonjour,\n\n' +
          'Sur l’allée des Peupliers, entre le n° 3 et le n° 11, les racines des arbres soulèvent l’enrobé du trottoir sur plusieurs mètres.\n' +
          'Avec une poussette ou un fauteuil roulant, il faut descendre sur la chaussée. Serait-il possible de prévoir une reprise du revêtement ?\n\n' +
          'Cordialement,\nPierre Lambert',
      },
    ],
  },
  {
    citizen: 'sandrine-faure',
    team: 'services-techniques',
    channel: 'voice',
    subject: 'Collecte des encombrants',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 0,
        minutesAgo: 33020,
        body: 'Appel manqué (ligne occupée). Pas de message vocal.',
      },
      {
        direction: 'outbound',
        channel: 'sms',
        agent: 0,
        minutesAgo: 32840,
        body: 'Bonjour, vous avez tenté de joindre les Services techniques de la Mairie de Démo. Vous pouvez répondre à ce SMS ou nous rappeler, nous sommes là jusqu’à 17h.',
      },
      {
        direction: 'inbound',
        channel: 'sms',
        minutesAgo: 32510,
        body: 'Bonjour, c’était pour faire enlever un vieux canapé et un frigo. Comment faire ?',
      },
      {
        direction: 'outbound',
        channel: 'sms',
        agent: 0,
        minutesAgo: 32320,
        body: 'Collecte des encombrants sur inscription le 1er mercredi du mois (inscription avant le lundi sur ville-demo.fr ou par retour de SMS avec votre adresse). Le frigo doit aller en déchetterie ou être repris par le vendeur.',
      },
      {
        direction: 'inbound',
        channel: 'sms',
        minutesAgo: 32050,
        body: 'OK, alors juste le canapé, 18 rue des Tilleuls. Merci !',
      },
      {
        direction: 'outbound',
        channel: 'sms',
        agent: 0,
        minutesAgo: 31980,
        body: 'C’est noté pour mercredi 3, à sortir la veille au soir devant chez vous. Bonne journée !',
      },
    ],
  },
  {
    citizen: 'kevin-mercier',
    team: 'services-techniques',
    channel: 'sms',
    subject: 'Lampadaire qui clignote rue des Lilas',
    status: 'open',
    priority: 'low',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 2615,
        body: 'Bjr, le lampadaire devant le 7 rue des Lilas clignote toute la nuit depuis une semaine, ça éclaire direct dans la chambre de ma fille. Merci',
      },
    ],
  },
  {
    citizen: 'isabelle-renaud',
    team: 'services-techniques',
    channel: 'webform',
    subject: 'Demande d’élagage – arbre communal',
    status: 'pending',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 14530,
        body:
          'Formulaire « Signaler un problème »\nCatégorie : Espaces verts\nAdresse : 6 rue des Écoles\n\n' +
          'Bonjour, le platane situé sur le trottoir devant chez moi a des branches qui touchent la façade et la gouttière, qui se bouche à chaque automne. ' +
          'Serait-il possible de prévoir un élagage ? Merci. Isabelle Renaud',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 14010,
        body:
          'Bonjour Madame Renaud,\n\n' +
          'Merci pour votre demande. Un agent des espaces verts passera cette semaine évaluer l’état du platane.\n' +
          'Si un élagage est nécessaire, il sera programmé dans le cadre de notre campagne d’automne, hors période de nidification. Nous reviendrons vers vous après ce diagnostic.\n\n' +
          'Bien cordialement,\nLes Services techniques\nMairie de Démo',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 9820,
        body: 'Diagnostic fait : arbre sain, taille de recul nécessaire côté façade. Inscrit au plan d’élagage de novembre. En attente du planning du prestataire pour confirmer la date à Mme Renaud.',
      },
    ],
  },
  {
    citizen: 'yannick-le-goff',
    team: 'services-techniques',
    channel: 'sms',
    subject: 'Voiture ventouse rue des Écoles',
    status: 'closed',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 40120,
        body: 'Bonjour, une Clio grise est garée devant le 15 rue des Écoles depuis plus d’un mois, pneus à plat. Elle gêne la sortie des poubelles. Yannick Le Goff',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 39870,
        body: 'Bonjour M. Le Goff, merci. Les véhicules ventouses relèvent de la police municipale : nous lui avons transmis votre signalement, elle passera constater. Services techniques',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 39860,
        body: 'Transmis à la police municipale (hors compétence ST). Clôturé de notre côté.',
      },
    ],
  },

  // ───────────────────────────── Développement économique ─────────────────────────────
  {
    citizen: 'antoine-rousseau',
    team: 'developpement-economique',
    channel: 'email',
    subject: 'Autorisation de terrasse – Café des Halles',
    status: 'pending',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 25040,
        body:
          'Bonjour,\n\n' +
          'Je suis le gérant du Café des Halles, 3 place du Marché. Je souhaiterais agrandir ma terrasse pour la saison estivale : 6 tables supplémentaires sur le trottoir, côté fontaine.\n' +
          'Quelle est la démarche pour obtenir l’autorisation d’occupation du domaine public, et quel est le tarif ?\n\n' +
          'Bien cordialement,\nAntoine Rousseau\nCafé des Halles',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 24720,
        body:
          'Bonjour Monsieur Rousseau,\n\n' +
          'La demande d’autorisation de terrasse se fait au moyen du formulaire ci-joint, accompagné :\n' +
          '- d’un plan coté de l’emprise souhaitée (un passage piéton libre de 1,40 m minimum doit être conservé) ;\n' +
          '- d’un extrait Kbis de moins de 3 mois ;\n' +
          '- d’une attestation d’assurance responsabilité civile ;\n' +
          '- de photos ou descriptifs du mobilier.\n\n' +
          'La redevance est de 18 € par m² pour la saison (délibération du conseil municipal). Le délai d’instruction est d’environ un mois.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 21030,
        body: 'Bonjour,\n\nVeuillez trouver ci-joint le formulaire complété, le plan, le Kbis et l’attestation d’assurance.\n\nCordialement,\nA. Rousseau',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 20920,
        body: 'Dossier complet. Emprise : 14 m². Avis police municipale demandé (largeur de passage PMR + accès pompiers à la fontaine).',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 20880,
        body:
          'Bonjour Monsieur Rousseau,\n\nVotre dossier est complet et a été transmis pour avis à la police municipale. Nous reviendrons vers vous sous trois semaines.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
      {
        direction: 'inbound',
        kind: 'call',
        channel: 'voice',
        callSeconds: 154,
        minutesAgo: 5020,
        body: 'Appel entrant : M. Rousseau demande où en est son autorisation de terrasse ; il voudrait installer les tables dès le 1er du mois et doit commander le mobilier.',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 4830,
        body:
          'Bonjour Monsieur Rousseau,\n\n' +
          'Comme indiqué au téléphone, l’avis de la police municipale est favorable, sous réserve du respect du passage de 1,40 m. L’arrêté d’autorisation est à la signature du maire cette semaine ; nous vous l’enverrons dès signature, avec le titre de recette.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'stephane-marchand',
    team: 'developpement-economique',
    channel: 'email',
    subject: 'Emplacement au marché hebdomadaire – fromager',
    status: 'open',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 6040,
        body:
          'Bonjour,\n\n' +
          'Je suis fromager affineur installé dans le Jura et je fais déjà plusieurs marchés de la région. Je souhaiterais obtenir un emplacement d’abonné au marché du samedi matin à Démo, environ 7 mètres linéaires pour mon camion.\n' +
          'Y a-t-il des places disponibles ?\n\n' +
          'Cordialement,\nStéphane Marchand\nFromagerie Marchand',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 5720,
        body:
          'Bonjour Monsieur Marchand,\n\n' +
          'Il n’y a pas actuellement de place d’abonné libre, mais nous vous inscrivons sur la liste d’attente (il n’y a pas de fromager sur le marché, ce qui est un atout). ' +
          'En attendant, vous pouvez venir en « volant » : le placier attribue les places disponibles le samedi à 7h, place du Marché.\n' +
          'Pièces à fournir : carte de commerçant ambulant, extrait Kbis et attestation d’assurance.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
      {
        direction: 'inbound',
        kind: 'call',
        channel: 'pbx',
        callSeconds: 74,
        minutesAgo: 3310,
        body: 'Appel standard transféré : M. Marchand demande s’il peut venir samedi en volant avec son camion frigorifique de 7 m et s’il aura un branchement électrique. Rappel demandé.',
      },
      {
        direction: 'inbound',
        minutesAgo: 1015,
        body:
          'Bonjour,\n\nComme convenu avec le standard, je vous joins ma carte de commerçant ambulant et l’attestation d’assurance.\n' +
          'Pouvez-vous me confirmer ma venue samedi et la possibilité d’un branchement électrique (16 A) ?\n\nMerci,\nStéphane Marchand',
      },
    ],
  },
  {
    citizen: 'olivier-blanc',
    team: 'developpement-economique',
    channel: 'email',
    subject: 'Création d’un atelier de réparation de vélos',
    status: 'open',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 3620,
        body:
          'Bonjour,\n\n' +
          'Je suis en train de créer mon entreprise (micro-entreprise, réparation et vente de vélos d’occasion) et je cherche un petit local commercial en centre-ville, 40 à 60 m².\n' +
          'La mairie dispose-t-elle d’une liste des locaux vacants ? Existe-t-il des aides à l’installation ou une boutique à l’essai ?\n' +
          'Je serais ravi de vous présenter mon projet lors d’un rendez-vous.\n\n' +
          'Bien cordialement,\nOlivier Blanc',
      },
    ],
  },
  {
    citizen: 'laura-perrin',
    team: 'developpement-economique',
    channel: 'instagram',
    subject: 'Stand au marché des créateurs',
    status: 'pending',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 11030,
        body: 'Bonjour ! Je suis créatrice de bijoux (@atelier.laura) et j’aimerais avoir un stand au marché des créateurs de décembre. Comment on s’inscrit ? ✨',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 10810,
        body: 'Bonjour Laura ! Avec plaisir. Les candidatures se font avec un dossier (présentation, photos des créations, assurance). Voulez-vous que nous vous l’envoyions par e-mail ?',
      },
      {
        direction: 'inbound',
        minutesAgo: 10530,
        body: 'Oui par mail svp : laura.perrin@gmail.com. Merci !!',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 0,
        minutesAgo: 10320,
        body:
          'Bonjour Madame Perrin,\n\n' +
          'Suite à votre message sur Instagram, vous trouverez ci-joint le dossier de candidature pour le marché des créateurs (salle des fêtes Georges-Brassens, deuxième week-end de décembre).\n' +
          'Le stand de 3 m coûte 30 € pour le week-end. Merci de nous retourner le dossier complet avant la fin du mois ; les exposants seront sélectionnés par un jury.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'rachid-meziane',
    team: 'developpement-economique',
    channel: 'whatsapp',
    subject: 'Food truck – autorisation de stationnement',
    status: 'open',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 812,
        body: 'Bonjour, j’ai un food truck (burgers maison) et je voudrais m’installer le mardi soir sur le parking du gymnase. C’est possible ? Il faut quelle autorisation ?',
      },
      {
        direction: 'inbound',
        minutesAgo: 809,
        body: 'Je fais déjà Villeneuve le jeudi, j’ai tous les papiers (Kbis, assurance, formation hygiène HACCP).',
      },
    ],
  },
  {
    citizen: 'marie-claire-lemoine',
    team: 'developpement-economique',
    channel: 'webform',
    subject: 'Ouverture d’un salon de thé – licence',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 34030,
        body:
          'Formulaire « Contacter la mairie »\nService concerné : Commerce / Développement économique\nObjet : Ouverture d’un salon de thé\n\n' +
          'Bonjour, je vais ouvrir un salon de thé avec petite restauration au 9 rue Victor-Hugo. Je voudrais proposer du cidre et de la bière avec les repas. ' +
          'Quelle licence dois-je demander et faut-il faire une déclaration en mairie ? Marie-Claire Lemoine',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 33510,
        body:
          'Bonjour Madame Lemoine,\n\n' +
          'Pour servir des boissons alcoolisées uniquement à l’occasion des repas, il vous faut une « petite licence restaurant » (boissons du 3e groupe), après obtention du permis d’exploitation (formation de 20 h).\n' +
          'La déclaration se fait en mairie au moins 15 jours avant l’ouverture, via le Cerfa 11542. Pensez également à la déclaration d’accessibilité de l’établissement recevant du public.\n\n' +
          'Bien cordialement,\nLe service Développement économique\nMairie de Démo',
      },
      {
        direction: 'inbound',
        channel: 'email',
        minutesAgo: 31040,
        body: 'Bonjour,\n\nMerci pour ces précisions très claires. Je viens de terminer la formation et je déposerai le Cerfa en mairie jeudi.\n\nBien à vous,\nMarie-Claire Lemoine',
      },
      {
        direction: 'outbound',
        channel: 'sms',
        agent: 1,
        minutesAgo: 29510,
        body: 'Bonjour Mme Lemoine, votre récépissé de déclaration de licence est prêt, vous pouvez le retirer à l’accueil de la mairie. Service Développement économique',
      },
    ],
  },
  {
    citizen: 'mohamed-cherif',
    team: 'developpement-economique',
    channel: 'pbx',
    subject: 'Projet d’épicerie – rendez-vous manager de centre-ville',
    status: 'closed',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 97,
        minutesAgo: 42830,
        body:
          'Appel standard transféré au Développement économique : M. Chérif a un projet d’épicerie de produits frais dans l’ancienne mercerie rue de la Gare. ' +
          'Souhaite rencontrer le manager de centre-ville.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        channel: 'pbx',
        callSeconds: 121,
        agent: 0,
        minutesAgo: 42510,
        body: 'Appel sortant : rendez-vous fixé vendredi 10h avec M. Lenoir, manager de centre-ville. Lui ai conseillé d’apporter son prévisionnel et le bail proposé.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 38020,
        body: 'RDV tenu. Orienté vers la CCI (accompagnement création) et l’initiative locale de prêt d’honneur. Le suivi se fait désormais par la CCI : conversation close.',
      },
    ],
  },

  // ───────────────────────────── Vie culturelle ─────────────────────────────
  {
    citizen: 'elodie-martin-roux',
    team: 'vie-culturelle',
    channel: 'instagram',
    subject: 'Festival d’été – programme et bénévolat',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 905,
        body: 'Coucou ! Le programme du festival « Démo en Scène » est sorti ? Et vous cherchez des bénévoles cette année ? Je suis dispo les deux soirs 🎶',
      },
    ],
  },
  {
    citizen: 'lucas-bernard',
    team: 'vie-culturelle',
    channel: 'instagram',
    subject: 'Scène ouverte du festival – candidature',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 26040,
        body: 'Salut ! On a un groupe de rock (Les Rotatives, 4 musiciens), on aimerait jouer à la scène ouverte du festival d’été. Comment on candidate ? 🤘',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 25810,
        body: 'Bonjour ! Avec plaisir 🎸 Envoyez-nous un lien vers 2 ou 3 morceaux et votre fiche technique à culture@ville-demo.fr avant le 15. Réponse début du mois prochain.',
      },
      {
        direction: 'inbound',
        channel: 'email',
        minutesAgo: 24030,
        body:
          'Bonjour,\n\nComme convenu sur Instagram, voici notre candidature pour la scène ouverte : lien vers nos morceaux sur Bandcamp et notre fiche technique en pièce jointe (batterie, 2 guitares, basse, chant).\n\n' +
          'Merci et à bientôt,\nLucas Bernard, pour Les Rotatives',
      },
      {
        direction: 'outbound',
        channel: 'email',
        agent: 1,
        minutesAgo: 15030,
        body:
          'Bonjour Monsieur Bernard,\n\n' +
          'Bonne nouvelle : Les Rotatives sont programmés le samedi à 18h30 sur la scène du kiosque, pour un set de 40 minutes. Les balances auront lieu à 16h30.\n' +
          'Le régisseur, M. Dupuis, vous contactera la semaine précédente pour les détails techniques.\n\n' +
          'Bien cordialement,\nLe service Vie culturelle\nMairie de Démo',
      },
      {
        direction: 'inbound',
        channel: 'email',
        minutesAgo: 14850,
        body: 'Génial, merci beaucoup !!! On sera là.\n\nLucas',
      },
    ],
  },
  {
    citizen: 'linh-tran',
    team: 'vie-culturelle',
    channel: 'messenger',
    subject: 'Médiathèque – carte perdue et prolongation de prêts',
    status: 'resolved',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 17520,
        body: 'Bonjour, j’ai perdu ma carte de la médiathèque Louise-Michel. Est-ce que je peux quand même prolonger mes livres ? Ils sont à rendre samedi.',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 17340,
        body: 'Bonjour, pas de souci : nous avons prolongé vos 4 documents de 3 semaines. Pour la carte, une nouvelle vous sera remise à l’accueil sur présentation d’une pièce d’identité (2 € de frais de remplacement).',
      },
      {
        direction: 'inbound',
        minutesAgo: 17290,
        body: 'Merci beaucoup, c’est super !',
      },
    ],
  },
  {
    citizen: 'christine-dubois',
    team: 'vie-culturelle',
    channel: 'email',
    subject: 'Réservation de la salle des fêtes – 70 ans',
    status: 'pending',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 15520,
        body:
          'Bonjour,\n\n' +
          'Je souhaiterais réserver la salle des fêtes Georges-Brassens pour fêter les 70 ans de mon mari, un samedi soir en octobre, pour environ 80 personnes.\n' +
          'Pourriez-vous m’indiquer les disponibilités et le tarif pour les habitants de Démo ?\n\n' +
          'Cordialement,\nChristine Dubois',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 15210,
        body:
          'Bonjour Madame Dubois,\n\n' +
          'La salle Georges-Brassens (capacité 150 personnes) est disponible les samedis 11 et 25 octobre.\n' +
          'Tarif résident : 350 € pour le week-end, avec une caution de 800 € et une attestation d’assurance responsabilité civile. La vaisselle peut être louée en supplément (60 €).\n' +
          'Nous pouvons poser une option de 10 jours sur la date de votre choix.\n\n' +
          'Bien cordialement,\nLe service Vie culturelle\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 7030,
        body: 'Bonjour,\n\nNous retenons le samedi 11 octobre, avec la vaisselle. Quand pouvons-nous passer signer la convention ?\n\nChristine Dubois',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 6810,
        body:
          'Bonjour Madame Dubois,\n\n' +
          'C’est noté, la salle est pré-réservée pour le samedi 11 octobre. Vous pouvez passer signer la convention le mardi ou le jeudi entre 14h et 17h, avec le chèque de caution et l’attestation d’assurance.\n\n' +
          'Bien cordialement,\nLe service Vie culturelle\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'emma-robin',
    team: 'vie-culturelle',
    channel: 'sms',
    subject: 'École de musique – cours de piano',
    status: 'open',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 4420,
        body: 'Bonjour, reste-t-il des places en piano à l’école de musique pour une enfant de 8 ans, débutante ? Merci, Emma Robin',
      },
      {
        direction: 'inbound',
        minutesAgo: 4412,
        body: 'Elle s’appelle Zoé, elle est en CE2 à Jean-Moulin. Elle pourrait le mercredi ou le samedi matin.',
      },
    ],
  },
  {
    citizen: 'david-cohen',
    team: 'vie-culturelle',
    channel: 'email',
    subject: 'Forum des associations – stand du Club photo',
    status: 'resolved',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 43020,
        body:
          'Bonjour,\n\n' +
          'En tant que président du Club photo de Démo, je souhaite inscrire l’association au forum des associations de septembre.\n' +
          'Nous aurions besoin d’un stand avec 2 grilles d’exposition et, si possible, d’un accès électrique pour un écran.\n\n' +
          'Bien cordialement,\nDavid Cohen\nPrésident du Club photo de Démo',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 42710,
        body:
          'Bonjour Monsieur Cohen,\n\n' +
          'Votre inscription au forum des associations est bien enregistrée : stand n° 23 au gymnase Pierre-de-Coubertin, avec 2 grilles et un accès électrique.\n' +
          'L’installation se fera le samedi entre 8h et 9h30 ; le forum ouvre au public à 10h.\n\n' +
          'Bien cordialement,\nLe service Vie culturelle et associative\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 42300,
        body: 'Parfait, merci beaucoup. À samedi !\n\nDavid Cohen',
      },
    ],
  },
  {
    citizen: 'nadia-bensaid',
    team: 'vie-culturelle',
    channel: 'sms',
    subject: 'Horaires de la médiathèque pendant les vacances',
    status: 'resolved',
    priority: 'low',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 19530,
        body: 'Bonjour, la médiathèque est ouverte pendant les vacances scolaires ? Et l’heure du conte du mercredi continue ?',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 19420,
        body: 'Bonjour, oui : ouverture du mardi au samedi, 10h-12h30 et 14h-18h (fermée le lundi). L’heure du conte est remplacée par des ateliers BD le mercredi à 15h, sur inscription. Médiathèque Louise-Michel',
      },
      {
        direction: 'inbound',
        minutesAgo: 19400,
        body: 'Super merci, bonne journée',
      },
    ],
  },
  {
    citizen: 'francois-henry',
    team: 'vie-culturelle',
    channel: 'email',
    subject: 'Journées du patrimoine – visite du clocher',
    status: 'open',
    priority: 'low',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 3930,
        body:
          'Bonjour,\n\n' +
          'Lors des dernières Journées européennes du patrimoine, la visite du clocher de l’église Saint-Martin affichait complet très tôt.\n' +
          'Sera-t-elle reconduite cette année, et sera-t-il possible de réserver à l’avance ? Je peux également proposer mon aide : je suis membre de la Société d’histoire locale.\n\n' +
          'Avec mes remerciements,\nFrançois Henry',
      },
    ],
  },

  // ───────────────────────────── Vie sportive ─────────────────────────────
  {
    citizen: 'mamadou-diallo',
    team: 'vie-sportive',
    channel: 'whatsapp',
    subject: 'Inscription au club de football – Pass’Sport',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 5620,
        body: 'Bonjour, mon fils Ibrahima a 11 ans, il veut s’inscrire à l’US Démo football. On a reçu le Pass’Sport, est-ce que le club l’accepte ?',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 5410,
        body:
          'Bonjour M. Diallo, oui, l’US Démo accepte le Pass’Sport (50 € de réduction sur la licence). Inscriptions au stade municipal le mercredi 14h-18h et le samedi 10h-12h, ' +
          'avec une photo, le code Pass’Sport et le questionnaire de santé. Service des Sports',
      },
      {
        direction: 'inbound',
        minutesAgo: 1712,
        body: 'Merci. Il faut aussi un certificat médical ou le questionnaire suffit pour un enfant ?',
      },
    ],
  },
  {
    citizen: 'kevin-mercier',
    team: 'vie-sportive',
    channel: 'messenger',
    subject: 'Créneau au gymnase pour une équipe de futsal',
    status: 'open',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 6520,
        body: 'Salut, on est une équipe de futsal entre potes (10 joueurs), on cherche un créneau au gymnase le soir. C’est possible sans être une asso ?',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 6310,
        body:
          'Bonjour ! Les créneaux du gymnase Pierre-de-Coubertin sont attribués en priorité aux associations, mais il reste un créneau le jeudi 21h-22h30 ouvert aux groupes. ' +
          'Il faut signer une convention d’utilisation et fournir une attestation d’assurance responsabilité civile. Tarif : 12 € de l’heure.',
      },
      {
        direction: 'inbound',
        minutesAgo: 1315,
        body: 'Ok top, on prend le jeudi ! On envoie l’attestation comment ? Et on peut commencer dès la semaine prochaine ?',
      },
    ],
  },
  {
    citizen: 'rachid-meziane',
    team: 'vie-sportive',
    channel: 'voice',
    subject: 'City-stade des Oiseaux – filet arraché',
    status: 'open',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 0,
        minutesAgo: 2412,
        body: 'Appel manqué (pause méridienne). Pas de message vocal.',
      },
      {
        direction: 'inbound',
        channel: 'whatsapp',
        minutesAgo: 2395,
        body: 'Bonjour, je viens d’appeler. Au city-stade du quartier des Oiseaux, le filet d’un des buts est arraché et il y a des bouts de grillage qui dépassent à hauteur d’enfant. Les petits peuvent se blesser.',
      },
    ],
  },
  {
    citizen: 'ines-haddad',
    team: 'vie-sportive',
    channel: 'email',
    subject: 'École municipale des sports – inscription du mercredi',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 38520,
        body:
          'Bonjour,\n\n' +
          'J’aimerais inscrire mon fils Adam, 7 ans, à l’école municipale des sports le mercredi matin. Reste-t-il des places ?\n' +
          'Quelles activités sont proposées ce trimestre et quel est le tarif ?\n\n' +
          'Merci,\nInès Haddad',
      },
      {
        direction: 'outbound',
        agent: 0,
        minutesAgo: 38210,
        body:
          'Bonjour Madame Haddad,\n\n' +
          'Il reste quelques places dans le groupe des 6-8 ans (mercredi 9h30-11h30). Au programme ce trimestre : athlétisme, jeux de raquettes puis initiation à l’escalade.\n' +
          'Le tarif dépend du quotient familial (de 15 € à 45 € le trimestre). L’inscription se fait sur le portail famille, rubrique « Sports ».\n\n' +
          'Sportivement,\nLe service des Sports\nMairie de Démo',
      },
      {
        direction: 'inbound',
        minutesAgo: 37540,
        body: 'Bonjour,\n\nC’est fait, Adam est inscrit. Merci beaucoup !\n\nInès Haddad',
      },
    ],
  },
  {
    citizen: 'awa-kone',
    team: 'vie-sportive',
    channel: 'sms',
    subject: 'Stage multisports des vacances',
    status: 'snoozed',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 10420,
        body: 'Bonjour, il reste des places au stage multisports des vacances pour 2 enfants de 9 et 12 ans ? Merci. Awa Koné',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 10210,
        body: 'Bonjour Mme Koné, les inscriptions au stage ouvrent lundi 8h sur le portail famille. Nous vous enverrons un SMS dès l’ouverture. Service des Sports',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 1,
        minutesAgo: 10200,
        body: 'En attente de l’ouverture des inscriptions (lundi). Relancer Mme Koné par SMS à l’ouverture ; tarif réduit possible (suivie par le CCAS).',
      },
    ],
  },
  {
    citizen: 'yannick-le-goff',
    team: 'vie-sportive',
    channel: 'pbx',
    subject: 'Concours de pétanque – prêt de matériel',
    status: 'resolved',
    assignee: 0,
    messages: [
      {
        direction: 'inbound',
        kind: 'call',
        callSeconds: 118,
        minutesAgo: 21520,
        body:
          'Appel standard transféré au service des Sports : M. Le Goff, président de La Boule démoise, organise un concours en doublettes au boulodrome. ' +
          'Demande le prêt de 10 barrières, 6 tables, 2 barnums et la sono.',
      },
      {
        direction: 'outbound',
        kind: 'note',
        agent: 0,
        minutesAgo: 21480,
        body: 'Demande de matériel saisie (bon n° 2291). Barnums disponibles, sono à récupérer vendredi 16h au centre technique municipal.',
      },
      {
        direction: 'outbound',
        kind: 'call',
        callSeconds: 88,
        agent: 0,
        minutesAgo: 21020,
        body: 'Appel sortant : confirmation du prêt à M. Le Goff. Livraison des barrières et tables vendredi matin au boulodrome ; sono à récupérer vendredi 16h.',
      },
    ],
  },
  {
    citizen: 'thomas-nguyen',
    team: 'vie-sportive',
    channel: 'email',
    subject: 'Foulées de Démo – inscription en équipe',
    status: 'snoozed',
    assignee: 1,
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 12520,
        body:
          'Bonjour,\n\n' +
          'Avec des collègues, nous aimerions courir les Foulées de Démo en équipe (10 km, 6 coureurs). Les inscriptions sont-elles ouvertes ? Y a-t-il un tarif entreprise ?\n\n' +
          'Cordialement,\nThomas Nguyen',
      },
      {
        direction: 'outbound',
        agent: 1,
        minutesAgo: 12230,
        body:
          'Bonjour Monsieur Nguyen,\n\n' +
          'Les inscriptions ouvriront le 1er du mois prochain sur le site de la course. Un challenge entreprises est prévu (à partir de 4 coureurs, 12 € par personne au lieu de 15 €, tee-shirt compris).\n' +
          'Nous vous recontacterons à l’ouverture des inscriptions.\n\n' +
          'Sportivement,\nLe service des Sports\nMairie de Démo',
      },
    ],
  },
  {
    citizen: 'chloe-lopez',
    team: 'vie-sportive',
    channel: 'email',
    subject: 'Réservation en ligne des courts de tennis impossible',
    status: 'open',
    priority: 'low',
    messages: [
      {
        direction: 'inbound',
        minutesAgo: 14,
        body:
          'Bonjour,\n\n' +
          'Depuis hier, la réservation en ligne des courts de tennis municipaux affiche « Erreur : créneau indisponible » pour tous les horaires, même ceux qui apparaissent libres.\n' +
          'J’ai essayé depuis mon téléphone et mon ordinateur. Est-ce un problème connu ? Je voulais réserver samedi 10h.\n\n' +
          'Merci,\nChloé Lopez',
      },
    ],
  },
];

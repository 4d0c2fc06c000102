import {
  civilDateAt,
  CONFORMITY_WORDS,
  conformityBasis,
  conformityLevel,
  formatFrenchLongDate,
  formatRate,
  statementValidity,
  type AccessibilityStatement,
  type RetentionRuleDto,
} from '@guichet/contracts';
import { html, type SafeHtml } from '../../common/html';
import { requestPath, withLanguage, type CitizenView, type PageContext } from './citizen-views';
import type { PublicOrganizationContact } from './public.repository';

/**
 * The town hall's legal pages for citizens, in French (the administration's language for these
 * statements; the English page says so): the RGAA 4.1 accessibility statement and the
 * personal-data notice generated from the retention rules.
 */

const frenchOnly = (ctx: PageContext) =>
  ctx.lang === 'fr' ? '' : html`<p class="notice" lang="en">This statement is published in French only.</p>`;

/** How to reach the town hall: whatever it filled in (or set for reporting a problem), and always its online form. */
function contactList(ctx: PageContext, org: PublicOrganizationContact, report?: AccessibilityStatement['contact']): SafeHtml {
  const email = report?.email || org.email;
  const phone = report?.phone || org.phone;
  return html`<ul>
      ${report?.url ? html`<li>Par le <a href="${report.url}">formulaire de signalement</a></li>` : ''}
      ${email ? html`<li>Par courriel : <a href="mailto:${email}">${email}</a></li>` : ''}
      ${phone ? html`<li>Par téléphone : ${phone}</li>` : ''}
      ${org.address ? html`<li>Par courrier : ${org.name}, ${org.address}</li>` : ''}
      <li>Par le <a href="${withLanguage(requestPath(org.slug), ctx.lang)}">formulaire de demande en ligne</a></li>
    </ul>`;
}

/** An admin's free text: one paragraph, or a list when it has several lines. */
function freeText(text: string): SafeHtml {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 1 ? html`<ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : html`<p>${lines[0] ?? ''}</p>`;
}

const list = (items: string[]) => html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;

/**
 * « État de conformité » and « Résultats des tests », in the model's words; once the statement has
 * lapsed (3 years after its publication, contracts statementValidity), « non conforme » and why,
 * its audit's result said in the past.
 */
function conformity(org: PublicOrganizationContact, s: AccessibilityStatement | null, today: string): SafeHtml {
  const rgaa = 'avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1';
  if (!s?.audit) {
    return html`<h2>État de conformité</h2>
    <p>Le guichet en ligne de ${org.name} est <strong>non conforme</strong> ${rgaa} : aucun audit de conformité n’a encore été réalisé.</p>`;
  }
  const basis = conformityBasis(s);
  const validity = statementValidity(basis.publishedOn!, today);
  if (validity.state === 'lapsed') {
    return html`<h2>État de conformité</h2>
    <p data-testid="statement-lapsed">Le guichet en ligne de ${org.name} est <strong>non conforme</strong> ${rgaa} : cette déclaration devait être mise à jour au plus tard le ${formatFrenchLongDate(validity.dueOn)}, trois ans après sa publication, et l’audit qu’elle présente n’est plus en cours de validité.</p>
    <h2>Résultats des tests</h2>
    <p>L’audit de conformité réalisé par ${s.audit.auditor} le ${formatFrenchLongDate(s.audit.date)} révélait que <strong>${formatRate(s.audit.rate)}</strong> des critères du RGAA version 4.1 étaient respectés.</p>`;
  }
  const level = conformityLevel(basis, today);
  const listed = s.nonCompliances.length || s.derogations.length;
  return html`<h2>État de conformité</h2>
    <p>Le guichet en ligne de ${org.name} est <strong>${CONFORMITY_WORDS[level]}</strong> ${rgaa}${
      level !== 'total' && listed ? ', en raison des non-conformités et des dérogations énumérées ci-dessous' : ''
    }.</p>
    <h2>Résultats des tests</h2>
    <p>L’audit de conformité réalisé par ${s.audit.auditor} le ${formatFrenchLongDate(s.audit.date)} révèle que <strong>${formatRate(s.audit.rate)}</strong> des critères du RGAA version 4.1 sont respectés.</p>`;
}

/** « Contenus non accessibles »: the three lists of the model, or what may not be accessible while nothing is known. */
function inaccessible(s: AccessibilityStatement | null): SafeHtml {
  if (!s || (!s.audit && !s.nonCompliances.length && !s.derogations.length && !s.exemptions.length)) {
    return html`<h2>Contenus non accessibles</h2>
    <p>En l’absence d’audit, les non-conformités ne sont pas encore recensées. Les contenus suivants peuvent ne pas être accessibles :</p>
    <ul>
      <li>les pièces jointes déposées par les usagers ou envoyées par les services (documents PDF, images), qui ne relèvent pas de ce service ;</li>
      <li>le contenu des courriels reçus, affiché tel que l’expéditeur l’a mis en forme.</li>
    </ul>`;
  }
  if (!s.nonCompliances.length && !s.derogations.length && !s.exemptions.length) {
    return html`<h2>Contenus non accessibles</h2>
    <p>Aucun contenu non accessible n’a été relevé.</p>`;
  }
  return html`<h2>Contenus non accessibles</h2>
    <p>Les contenus listés ci-dessous ne sont pas accessibles pour les raisons suivantes.</p>
    ${s.nonCompliances.length ? html`<h3>Non-conformités</h3>${list(s.nonCompliances)}` : ''}
    ${
      s.derogations.length
        ? html`<h3>Dérogations pour charge disproportionnée</h3>${list(s.derogations.map((d) => `${d.content} : ${d.reason}`))}`
        : ''
    }
    ${s.exemptions.length ? html`<h3>Contenus non soumis à l’obligation d’accessibilité</h3>${list(s.exemptions)}` : ''}`;
}

const DEFAULT_TECHNOLOGIES =
  'HTML, CSS, JavaScript (facultatif : le formulaire et le suivi fonctionnent sans). Les pages sont vérifiées automatiquement avec axe-core et testées au clavier.';

/** « Établissement de cette déclaration d’accessibilité »: its dates, then how the audit was made. */
function establishment(s: AccessibilityStatement | null): SafeHtml {
  if (!s) {
    return html`<h2>Établissement de cette déclaration</h2>
    <p>Technologies utilisées : ${DEFAULT_TECHNOLOGIES}</p>`;
  }
  const audit = s.audit;
  const section = (title: string, text: string | undefined) => (text ? html`<h3>${title}</h3>${freeText(text)}` : '');
  return html`<h2>Établissement de cette déclaration</h2>
    <p>Cette déclaration a été établie le ${formatFrenchLongDate(s.establishedOn)}.${
      s.updatedOn ? ` Elle a été mise à jour le ${formatFrenchLongDate(s.updatedOn)}.` : ''
    }</p>
    <h3>Technologies utilisées pour la réalisation du guichet en ligne</h3>
    ${freeText(audit?.technologies || DEFAULT_TECHNOLOGIES)}
    ${section('Environnement de test', audit?.environment)}
    ${section('Outils pour évaluer l’accessibilité', audit?.tools)}
    ${section('Pages du site ayant fait l’objet de la vérification de conformité', audit?.sample)}`;
}

/** `/accessibilite/:slug`: the accessibility statement (RGAA 4.1 model, article 47 of law 2005-102). */
export function accessibilityView(
  ctx: PageContext,
  org: PublicOrganizationContact,
  today = civilDateAt(new Date()),
): CitizenView {
  const s = org.accessibility;
  const plans = [
    s?.multiYearPlanUrl ? html`<li><a href="${s.multiYearPlanUrl}">Schéma pluriannuel de mise en accessibilité</a></li>` : '',
    s?.actionPlanUrl ? html`<li><a href="${s.actionPlanUrl}">Plan d’actions de l’année en cours</a></li>` : '',
  ].filter(Boolean);
  const main = html`<article class="public-statement" lang="fr">
    <h1 class="public__title">Déclaration d’accessibilité</h1>
    ${frenchOnly(ctx)}
    <p>${org.name} s’engage à rendre ses services en ligne accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.</p>
    ${plans.length ? html`<p>À cette fin, ${org.name} met en œuvre la stratégie et les actions suivantes :</p><ul>${plans}</ul>` : ''}
    <p>Cette déclaration d’accessibilité s’applique au guichet en ligne de ${org.name} (formulaire de demande et suivi des demandes) et à la console des agents qui traitent ces demandes.</p>
    ${conformity(org, s, today)}
    ${inaccessible(s)}
    ${establishment(s)}
    <h2>Retour d’information et contact</h2>
    <p>Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter ${org.name} pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme :</p>
    ${contactList(ctx, org, s?.contact)}
    <h2>Voies de recours</h2>
    <p>Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou à une fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse rapide de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits :</p>
    <ul>
      <li>écrire un message au Défenseur des droits : <a href="https://formulaire.defenseurdesdroits.fr/">formulaire.defenseurdesdroits.fr</a> ;</li>
      <li>contacter le délégué du Défenseur des droits dans votre région : <a href="https://www.defenseurdesdroits.fr/saisir/delegues">defenseurdesdroits.fr/saisir/delegues</a> ;</li>
      <li>appeler le 09 69 39 00 00 ;</li>
      <li>envoyer un courrier (gratuit, sans timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</li>
    </ul>
  </article>`;
  return {
    title: `Déclaration d’accessibilité — ${org.name}`,
    organization: org.name,
    logo: org.logo,
    slug: org.slug,
    conformity: conformityLevel(conformityBasis(s), today),
    main,
  };
}

/** 90 → « 90 jours », 365 → « 1 an », 2190 → « 6 ans », 180 → « 6 mois ». */
export function durationText(days: number): string {
  if (days % 365 === 0) return days === 365 ? '1 an' : `${days / 365} ans`;
  if (days % 30 === 0) return `${days / 30} mois`;
  return days === 1 ? '1 jour' : `${days} jours`;
}

/** `/donnees-personnelles/:slug`: who processes citizens' data, why, how long, and how to exercise their rights. */
export function privacyView(
  ctx: PageContext,
  org: PublicOrganizationContact,
  rules: RetentionRuleDto[],
  today = civilDateAt(new Date()),
): CitizenView {
  const main = html`<article class="public-statement" lang="fr">
    <h1 class="public__title">Données personnelles</h1>
    ${frenchOnly(ctx)}
    <h2>Qui traite vos données ?</h2>
    <p>${org.name} est responsable du traitement des données que vous lui confiez en lui écrivant (formulaire en ligne, courriel, SMS, messageries, téléphone ou accueil).</p>
    <h2>Quelles données et pourquoi ?</h2>
    <p>Vos nom et coordonnées (adresse électronique, numéro de téléphone), vos messages, les pièces jointes et les appels, afin d’instruire votre demande et de vous répondre, au titre de la mission de service public de la commune. Seuls les agents des services concernés y ont accès ; chaque consultation de votre dossier est enregistrée.</p>
    <h2>Combien de temps ?</h2>
    ${
      rules.length
        ? html`<p>Après le traitement de votre demande, vos données sont conservées pendant la durée indiquée, puis anonymisées (les statistiques sont gardées, sans rien qui vous identifie) ou supprimées.</p>
    <div class="table-scroll"><table>
      <caption class="visually-hidden">Durées de conservation par service et par démarche</caption>
      <thead><tr><th scope="col">Service</th><th scope="col">Démarche</th><th scope="col">Finalité</th><th scope="col">Base légale</th><th scope="col">Durée après traitement</th><th scope="col">Ensuite</th></tr></thead>
      <tbody>${rules.map(
        (r) =>
          html`<tr><td>${r.teamName ?? 'Tous les services'}</td><td>${r.requestTypeName ?? 'Toutes'}</td><td>${r.purpose}</td><td>${r.legalBasis}</td><td>${durationText(r.durationDays)}</td><td>${r.action === 'delete' ? 'Suppression' : 'Anonymisation'}</td></tr>`,
      )}</tbody>
    </table></div>`
        : html`<p>${org.name} n’a pas encore fixé de durée de conservation pour ces demandes : elles sont conservées jusqu’à ce qu’elle les supprime. Vous pouvez demander leur effacement (voir ci-dessous).</p>`
    }
    <h2>Vos droits</h2>
    <p>Vous pouvez demander à accéder à vos données et en obtenir une copie, les faire rectifier, demander leur effacement ou la limitation de leur traitement, et vous opposer à leur traitement (articles 15 à 21 du règlement général sur la protection des données). L’effacement et la portabilité ne s’appliquent pas aux données nécessaires à une mission de service public ou à une obligation légale ; le droit d’accès s’applique toujours.</p>
    <p>${org.name} vous répond dans un délai d’un mois, qui peut être prolongé de deux mois en cas de demande complexe : vous en êtes alors informé. Pour exercer vos droits :</p>
    ${contactList(ctx, org)}
    <p>Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l’informatique et des libertés (CNIL) : <a href="https://www.cnil.fr/fr/plaintes">cnil.fr/fr/plaintes</a>.</p>
  </article>`;
  return {
    title: `Données personnelles — ${org.name}`,
    organization: org.name,
    logo: org.logo,
    slug: org.slug,
    conformity: conformityLevel(conformityBasis(org.accessibility), today),
    main,
  };
}

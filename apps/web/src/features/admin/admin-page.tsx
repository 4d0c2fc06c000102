import type { MeDto } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';
import { OidcProvidersPage } from '../account/oidc-providers-page';
import { AccessibilitySection } from './accessibility-section';
import { AcknowledgementsSection } from './acknowledgements-section';
import { AdministrationsSection } from './administrations-section';
import { AgentsSection } from './agents-section';
import { AuditSection } from './audit-section';
import { CannedRepliesSection } from './canned-replies-section';
import { ChannelsSection } from './channels-section';
import { MailSection } from './mail-section';
import { OrganizationSection } from './organization-section';
import { PlatformAdminsSection } from './platform-admins-section';
import { PlatformSection } from './platform-section';
import { RequestTypesSection } from './request-types-section';
import { RetentionSection } from './retention-section';
import { RoutingSection } from './routing-section';
import { TeamsSection } from './teams-section';

/** The administration sections, in the navigation's order: a new one takes its place here with its slug and its screen. */
const SECTIONS = [
  { slug: 'organisation', label: 'admin.nav.organization', Screen: OrganizationSection },
  { slug: 'services', label: 'admin.nav.teams', Screen: TeamsSection },
  { slug: 'agents', label: 'admin.nav.agents', Screen: AgentsSection },
  { slug: 'demarches', label: 'admin.nav.requestTypes', Screen: RequestTypesSection },
  { slug: 'routage', label: 'admin.nav.routing', Screen: RoutingSection },
  { slug: 'administrations', label: 'admin.nav.administrations', Screen: AdministrationsSection },
  { slug: 'reponses-types', label: 'admin.nav.cannedReplies', Screen: CannedRepliesSection },
  { slug: 'canaux', label: 'admin.nav.channels', Screen: ChannelsSection },
  { slug: 'courriels', label: 'admin.nav.mail', Screen: MailSection },
  { slug: 'accuses', label: 'admin.nav.acknowledgements', Screen: AcknowledgementsSection },
  { slug: 'connexion', label: 'oidcAdmin.link', Screen: SignInSection },
  { slug: 'conservation', label: 'admin.nav.retention', Screen: RetentionSection },
  { slug: 'journal', label: 'admin.nav.audit', Screen: AuditSection },
  { slug: 'accessibilite', label: 'admin.nav.accessibility', Screen: AccessibilitySection },
  // Platform administrators only: the towns of the installation and who runs it.
  { slug: 'communes', label: 'admin.nav.platform', Screen: PlatformSection, platformOnly: true },
  { slug: 'administrateurs-plateforme', label: 'admin.nav.platformAdmins', Screen: PlatformAdminsSection, platformOnly: true },
] as const;

/** Sections supervisors edit too (the API lets them): no « read only » notice there. */
const SUPERVISED = new Set<string>(['reponses-types']);

/** Who signs in how (ProConnect, an OIDC provider): admins only, as the API. */
function SignInSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  return readOnly ? <p>{t('admin.channels.adminsOnly')}</p> : <OidcProvidersPage />;
}

export function AdminPage({ hash, me }: { hash: string; me: MeDto }) {
  const { t } = useTranslation();
  const slug = hash.replace(/^#\/admin\/?/, '').split(/[/?]/)[0] || 'organisation';
  const sections = SECTIONS.filter((s) => !('platformOnly' in s) || me.platformAdmin);
  const section = sections.find((s) => s.slug === slug) ?? sections[0]!;
  const readOnly = me.role !== 'admin';
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t('admin.nav.label')}>
        <h1 className="admin-nav__title">{t('admin.title')}</h1>
        <ul>
          {sections.map((s) => (
            <li key={s.slug}>
              <a className="admin-nav__link" href={`#/admin/${s.slug}`} aria-current={s === section ? 'page' : undefined}>
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-content">
        {readOnly && !SUPERVISED.has(section.slug) ? (
          <p className="notice notice--warning" role="note">
            {t('admin.readOnly')}
          </p>
        ) : null}
        <section.Screen readOnly={readOnly} me={me} />
      </div>
    </div>
  );
}

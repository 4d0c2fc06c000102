/** @jest-environment ./test/jsdom-environment.cjs */
import {
  addCalendarDays,
  addMonths,
  civilDateAt,
  formatFrenchLongDate,
  type AccessibilityStatement,
  type AccessibilityStatementDto,
  type MeDto,
} from '@guichet/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import '../src/i18n';
import { queryKeys } from '../src/api/query-keys';
import { AccessibilitySection } from '../src/features/admin/accessibility-section';

const me = { organization: { slug: 'ville' } } as MeDto;

/** A statement published on `publishedOn` (its establishment; never updated). */
const statement = (publishedOn: string): AccessibilityStatement => ({
  level: 'partial',
  audit: {
    date: publishedOn,
    auditor: 'Access & Cie',
    rate: 77.5,
    sample: '',
    technologies: '',
    tools: '',
    environment: '',
  },
  nonCompliances: [],
  derogations: [],
  exemptions: [],
  establishedOn: publishedOn,
  updatedOn: null,
  multiYearPlanUrl: '',
  actionPlanUrl: '',
  contact: { email: '', phone: '', url: '' },
});

function renderWith(s: AccessibilityStatement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData<AccessibilityStatementDto>(queryKeys.admin.accessibility(), { statement: s });
  return render(
    <QueryClientProvider client={client}>
      <AccessibilitySection readOnly={false} me={me} />
    </QueryClientProvider>,
  );
}

/** Issue 16: a statement must be updated 3 years after its publication; the admin is told before and after. */
describe('Administration › Accessibilité: the statement’s renewal', () => {
  const today = civilDateAt(new Date());
  /** A statement that must be updated on (about: a 29 February has no match 3 years off) `day`. */
  const dueAbout = (day: string) => {
    const publishedOn = addMonths(day, -36);
    return { s: statement(publishedOn), dueOn: addMonths(publishedOn, 36) };
  };

  it('says nothing while the statement has more than 90 days to run', () => {
    renderWith(dueAbout(addCalendarDays(today, 120)).s);
    expect(screen.queryByTestId('statement-renewal')).toBeNull();
  });

  it('warns 90 days before it lapses, with the date', () => {
    const { s, dueOn } = dueAbout(addCalendarDays(today, 90));
    renderWith(s);
    expect(screen.getByTestId('statement-renewal').textContent).toContain(
      `La déclaration doit être mise à jour avant le ${formatFrenchLongDate(dueOn)}, trois ans après sa publication`,
    );
  });

  it('says from the day it lapses that every page declares « non conforme »', () => {
    const { s, dueOn } = dueAbout(today);
    renderWith(s);
    expect(screen.getByTestId('statement-renewal').textContent).toContain(
      `La déclaration n’est plus valide depuis le ${formatFrenchLongDate(dueOn)}, trois ans après sa publication : le guichet est déclaré « non conforme »`,
    );
  });
});

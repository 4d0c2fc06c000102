import { WEEKDAYS, type OpeningHours, type Weekday } from './admin';
import { CITIZEN_TEXT, fillText, LOCALES, TIME_ZONE, type Language } from './citizen-text';
import { civilDateAt, formatFrenchLongDate } from './deadlines';

// Apart from citizen-text.ts, which the agent app loads up front (the shared texts): these bring
// the French calendar and the admin contracts along, which only some screens and pages need.

const longDates = new Map<Language, Intl.DateTimeFormat>();

/**
 * The civil date of an instant in Paris, in words: « 30 janvier 2027 », « 1er mars 2027 » (as the
 * acknowledgements write it), "30 January 2027".
 */
export function formatLongDate(iso: string, language: Language): string {
  if (language === 'fr') return formatFrenchLongDate(civilDateAt(new Date(iso)));
  let format = longDates.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { timeZone: TIME_ZONE, dateStyle: 'long' });
    longDates.set(language, format);
  }
  return format.format(new Date(iso));
}

function clockTime(hhmm: string, language: Language): string {
  const [h, m] = hhmm.split(':') as [string, string];
  return language === 'fr' ? `${Number(h)} h${m === '00' ? '' : ` ${m}`}` : `${Number(h)}:${m}`;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Opening hours in words, one line per run of days with the same hours, closed days left out:
 * « Du lundi au vendredi : 8 h 30 – 12 h, 13 h 30 – 17 h 30 », « Samedi : 9 h – 12 h ».
 */
export function openingHoursLines(hours: OpeningHours, language: Language): string[] {
  const t = CITIZEN_TEXT[language].public;
  const slotsOf = (day: Weekday) =>
    (hours[day] ?? []).map((s) => `${clockTime(s.opens, language)} – ${clockTime(s.closes, language)}`).join(', ');
  const lines: string[] = [];
  for (let i = 0; i < WEEKDAYS.length;) {
    const slots = slotsOf(WEEKDAYS[i]!);
    let j = i;
    while (j + 1 < WEEKDAYS.length && slotsOf(WEEKDAYS[j + 1]!) === slots) j++;
    if (slots) {
      const names = { from: t.weekdays[WEEKDAYS[i]!], to: t.weekdays[WEEKDAYS[j]!] };
      const days = capitalized(j === i ? names.from : fillText(j === i + 1 ? t.hoursTwoDays : t.hoursDays, names));
      lines.push(`${days}${language === 'fr' ? ' : ' : ': '}${slots}`);
    }
    i = j + 1;
  }
  return lines;
}

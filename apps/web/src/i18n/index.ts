import { LANGUAGES, isLanguage, type Language } from '@guichet/contracts';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { fr, type Messages } from './fr';

// Languages, locales and the town hall's time zone are shared with the citizen pages (libs/contracts).
export { LANGUAGES, LOCALES, TIME_ZONE, isLanguage, type Language } from '@guichet/contracts';

const LANGUAGE_KEY = 'guichet.lang';

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(LANGUAGE_KEY);
    return isLanguage(value) ? value : 'fr';
  } catch {
    return 'fr';
  }
}

/**
 * French is in the first download; another language's words load when an agent picks it (or
 * when the app starts in it): most agents never do, and each dictionary weighs ~9 kB gzipped.
 */
const DICTIONARIES: Record<Exclude<Language, 'fr'>, () => Promise<Messages>> = {
  en: () => import('./en').then((m) => m.en),
};

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { fr: { translation: fr } },
  lng: 'fr',
  fallbackLng: 'fr',
  supportedLngs: LANGUAGES,
  initAsync: false,
  returnNull: false,
  interpolation: { escapeValue: false },
});

/**
 * Adds the French words a screen loaded with itself (e.g. fr-supervision.ts), so they stay out of
 * the first download; a screen module calls it when it loads, before it renders.
 */
export function addFrenchWords(words: object): void {
  i18n.addResourceBundle('fr', 'translation', words, true, false);
}

/** Loads the language's words if need be, then switches to it (stays in French if they cannot load). */
export async function setLanguage(lng: Language): Promise<void> {
  if (lng !== 'fr' && !i18n.hasResourceBundle(lng, 'translation')) {
    i18n.addResourceBundle(lng, 'translation', await DICTIONARIES[lng](), true, true);
  }
  await i18n.changeLanguage(lng);
}

document.documentElement.lang = 'fr';
i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(LANGUAGE_KEY, lng);
  } catch {
    // Private browsing: the choice lasts for this tab only.
  }
});

/** Resolves once the language the agent chose last time is ready (at once in French). */
export const i18nReady: Promise<void> = (() => {
  const lng = storedLanguage();
  return lng === 'fr' ? Promise.resolve() : setLanguage(lng).catch(() => undefined);
})();

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'fr';
}

import 'i18next';
import type { FrWords } from './fr';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: FrWords };
    returnNull: false;
  }
}
